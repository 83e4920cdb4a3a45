export interface BasicCredentials {
  readonly user: string;
  /** The password's bytes, as hashes take them. */
  readonly password: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The user and password of an `Authorization: Basic` header, read as Go's
 * Request.BasicAuth does: the scheme in any case, strict padded base64, split at the
 * first colon. Undefined when there are none.
 */
export function parseBasicAuthorization(value: string | undefined): BasicCredentials | undefined {
  if (value === undefined || value.length < 6 || value.slice(0, 6).toLowerCase() !== 'basic ')
    return undefined;
  const encoded = value.slice(6);
  if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon === -1) return undefined;
  return { user: decoded.toString('utf8', 0, colon), password: decoded.subarray(colon + 1) };
}
