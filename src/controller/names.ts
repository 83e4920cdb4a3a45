/**
 * Provider qualification, as Traefik does it: `web` from provider `file` is `web@file`
 * everywhere after the merge. A reference that already carries an `@` names a resource of
 * that provider (`auth@docker` from a file router); one without it stays in the
 * referrer's own provider.
 */
export const qualify = (name: string, provider: string): string =>
  isQualified(name) ? name : `${name}@${provider}`;

export const isQualified = (name: string): boolean => name.includes('@');
