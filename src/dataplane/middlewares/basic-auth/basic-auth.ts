import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { Handler, ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import {
  checkHeaderField,
  checkRealm,
  DEFAULT_REALM,
  loadUserLines,
  sendUnauthorized,
} from '../auth-common/index.js';
import { parseBasicAuthorization } from './basic-credentials.js';
import { parsePasswordHash, type PasswordHash } from './password-hash.js';
import { VerifiedCredentials } from './verified-credentials.js';

/**
 * Traefik's basicAuth: users from htpasswd lines (inline and a users file), bcrypt,
 * MD5-crypt and SHA1 hashes, a 401 with `WWW-Authenticate: Basic realm="..."` otherwise.
 * The authenticated user goes upstream in headerField when set; removeHeader drops the
 * Authorization header. Lines with a hash Traefik could never match are refused.
 */
export function buildBasicAuth(config: MiddlewareOf<'basicAuth'>, next: Handler): Result<Handler> {
  const realm = config.realm || DEFAULT_REALM;
  const problem = checkRealm(realm) ?? checkHeaderField(config.headerField);
  if (problem !== undefined) return fail(problem);
  const users = readUsers(config);
  if (!users.ok) return users;

  const challenge = `Basic realm="${realm}"`;
  const field = config.headerField ? config.headerField.toLowerCase() : '';
  const removeHeader = config.removeHeader === true;
  const verified = new VerifiedCredentials();

  const pass = (req: ProxyRequest, res: ProxyResponse, ctx: RequestContext, user: string): void => {
    const headers = ctx.headers as Record<string, string | string[] | undefined>;
    if (field !== '') headers[field] = user;
    if (removeHeader) delete headers.authorization;
    next(req, res, ctx);
  };

  return ok((req, res, ctx) => {
    const credentials = parseBasicAuthorization(ctx.headers.authorization);
    if (credentials === undefined) {
      sendUnauthorized(res, challenge);
      return;
    }
    const { user, password } = credentials;
    ctx.clientUsername = user;
    const hash = users.value.get(user);
    if (hash === undefined) {
      sendUnauthorized(res, challenge);
      return;
    }
    let verdict: boolean | Promise<boolean>;
    if (hash.slow) {
      const key = verified.keyOf(user, password);
      verdict = verified.has(key) || verified.verify(key, () => hash.matches(password));
    } else {
      verdict = hash.matches(password) as boolean;
    }
    if (verdict === true) pass(req, res, ctx, user);
    else if (verdict === false) sendUnauthorized(res, challenge);
    else {
      // Only a bcrypt check not seen before gets here.
      void verdict.then((matched) => {
        if (res.destroyed) return;
        if (matched) pass(req, res, ctx, user);
        else sendUnauthorized(res, challenge);
      });
    }
  });
}

function readUsers(config: MiddlewareOf<'basicAuth'>): Result<Map<string, PasswordHash>> {
  const lines = loadUserLines(config.users, config.usersFile);
  if (!lines.ok) return lines;
  const users = new Map<string, PasswordHash>();
  const errors: ConfigError[] = [];
  for (const line of lines.value) {
    const parts = line.text.split(':');
    if (parts.length !== 2) {
      errors.push(
        new ConfigError('CONFIG_INVALID', line.path, `${line.where}: must be "name:hash", with one colon`),
      );
      continue;
    }
    const [user, text] = parts as [string, string];
    const hash = parsePasswordHash(text);
    if (typeof hash === 'string') {
      errors.push(
        new ConfigError(
          'CONFIG_INVALID',
          line.path,
          `${line.where}: the hash of user ${JSON.stringify(user)} ${hash}`,
        ),
      );
      continue;
    }
    users.set(user, hash);
  }
  return errors.length > 0 ? fail(...errors) : ok(users);
}
