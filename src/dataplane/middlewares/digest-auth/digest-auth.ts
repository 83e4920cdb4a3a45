import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MiddlewareOf } from '../../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { Handler, ProxyRequest, RequestContext } from '../../handler.js';
import { decodePath } from '../../routing/index.js';
import {
  checkHeaderField,
  checkRealm,
  DEFAULT_REALM,
  loadUserLines,
  sendUnauthorized,
} from '../auth-common/index.js';
import { parseDigestAuthorization } from './digest-params.js';
import { NonceTable } from './nonce-table.js';

const HA1 = /^[0-9a-f]{32}$/;
const NONCE_COUNT = /^[0-9a-fA-F]{1,16}$/;
const SCHEME_AND_AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

const md5Hex = (text: string): string => hash('md5', text, 'hex');

/**
 * What a request's Digest credentials came to; `stale` is a right response on an unknown
 * or reused nonce, which the client may retry without asking the user again.
 */
type Verdict = 'valid' | 'invalid' | 'stale';

/**
 * Traefik's digestAuth (go-http-auth): RFC 2617 MD5 with qop=auth, `user:realm:HA1`
 * lines, a per-middleware opaque value and nonce table, `stale=TRUE` for a good response
 * on an unknown nonce or a nonce count that does not grow. headerField and removeHeader
 * work as in basicAuth.
 */
export function buildDigestAuth(config: MiddlewareOf<'digestAuth'>, next: Handler): Result<Handler> {
  const realm = config.realm || DEFAULT_REALM;
  const problem = checkRealm(realm) ?? checkHeaderField(config.headerField);
  if (problem !== undefined) return fail(problem);
  const users = readUsers(config);
  if (!users.ok) return users;

  const ha1ByUser = users.value;
  const opaque = randomBytes(12).toString('base64');
  const nonces = new NonceTable();
  const challengeHead = `Digest realm="${realm}", nonce="`;
  const challengeTail = `", opaque="${opaque}", algorithm="MD5", qop="auth"`;
  const field = config.headerField ? config.headerField.toLowerCase() : '';
  const removeHeader = config.removeHeader === true;

  const verify = (req: ProxyRequest, ctx: RequestContext, auth: Map<string, string>): Verdict => {
    const algorithm = auth.get('algorithm') ?? 'MD5';
    if (auth.get('opaque') !== opaque || algorithm !== 'MD5' || auth.get('qop') !== 'auth') {
      return 'invalid';
    }
    const uri = auth.get('uri') ?? '';
    if (uri !== (req.url ?? '') && !coversPath(uri, ctx.path)) return 'invalid';
    // Unlike go-http-auth, an unknown user is refused here rather than checked against an
    // empty HA1, which anyone could compute a response for.
    const ha1 = ha1ByUser.get(auth.get('username') ?? '');
    if (ha1 === undefined) return 'invalid';
    const nonce = auth.get('nonce') ?? '';
    const nc = auth.get('nc') ?? '';
    const ha2 = md5Hex(`${ctx.method}:${uri}`);
    const expected = md5Hex(`${ha1}:${nonce}:${nc}:${auth.get('cnonce') ?? ''}:auth:${ha2}`);
    if (!sameText(expected, auth.get('response') ?? '')) return 'invalid';
    if (!NONCE_COUNT.test(nc)) return 'invalid';
    return nonces.use(nonce, BigInt(`0x${nc}`)) ? 'valid' : 'stale';
  };

  return ok((req, res, ctx) => {
    const auth = parseDigestAuthorization(ctx.headers.authorization);
    const verdict = auth === undefined ? 'invalid' : verify(req, ctx, auth);
    if (auth !== undefined) ctx.clientUsername = auth.get('username') ?? '';
    if (verdict !== 'valid') {
      const stale = verdict === 'stale' ? ', stale=TRUE' : '';
      sendUnauthorized(res, `${challengeHead}${nonces.issue()}${challengeTail}${stale}`);
      return;
    }
    const headers = ctx.headers as Record<string, string | string[] | undefined>;
    if (field !== '') headers[field] = ctx.clientUsername;
    if (removeHeader) delete headers.authorization;
    next(req, res, ctx);
  });
}

/**
 * go-http-auth also accepts a `uri` whose path is a prefix of the request's path, "for
 * some reason lost in history" (its words), rather than the exact request URI.
 */
function coversPath(uri: string, requestPath: string): boolean {
  let target = uri.replace(SCHEME_AND_AUTHORITY, '');
  const end = target.search(/[?#]/);
  if (end !== -1) target = target.slice(0, end);
  const path = decodePath(target);
  return path !== undefined && path.length <= requestPath.length && requestPath.startsWith(path);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `user:realm:HA1` lines, kept for the middleware's realm: other realms never match. */
function readUsers(config: MiddlewareOf<'digestAuth'>): Result<Map<string, string>> {
  const lines = loadUserLines(config.users, config.usersFile);
  if (!lines.ok) return lines;
  const realm = config.realm || DEFAULT_REALM;
  const users = new Map<string, string>();
  const errors: ConfigError[] = [];
  for (const line of lines.value) {
    const parts = line.text.split(':');
    if (parts.length !== 3) {
      errors.push(new ConfigError('CONFIG_INVALID', line.path, `${line.where}: must be "name:realm:HA1"`));
      continue;
    }
    const [user, lineRealm, ha1] = parts as [string, string, string];
    if (!HA1.test(ha1)) {
      errors.push(
        new ConfigError(
          'CONFIG_INVALID',
          line.path,
          `${line.where}: the HA1 of user ${JSON.stringify(user)} must be 32 lower-case hex digits (htdigest's MD5)`,
        ),
      );
      continue;
    }
    if (lineRealm === realm) users.set(user, ha1);
  }
  return errors.length > 0 ? fail(...errors) : ok(users);
}
