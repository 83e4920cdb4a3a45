/** A position in the configuration tree: object keys and list indexes. */
export type KeyPath = readonly (string | number)[];

/** `entryPoints.web.http.tls.domains[0].main`, the form every error message uses. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
