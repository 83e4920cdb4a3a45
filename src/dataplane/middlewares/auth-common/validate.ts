import { ConfigError } from '../../../config/errors.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What Node accepts in a header value: no control characters but tab.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** headerField names a request header: it has to be a valid header name. */
export function checkHeaderField(name: string | undefined): ConfigError | undefined {
  if (name === undefined || name === '' || TOKEN.test(name)) return undefined;
  return new ConfigError(
    'CONFIG_INVALID',
    'headerField',
    `${JSON.stringify(name)} is not a valid header name`,
  );
}

/** The realm goes into WWW-Authenticate: it has to be a valid header value. */
export function checkRealm(realm: string): ConfigError | undefined {
  if (HEADER_VALUE.test(realm)) return undefined;
  return new ConfigError('CONFIG_INVALID', 'realm', 'must not contain control characters');
}
