import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { statusForError, statusText } from '../../../src/dataplane/proxy/status.js';

const withCode = (code: string | undefined): Error => Object.assign(new Error('x'), { code });

describe('statusForError', () => {
  const cases = [
    { desc: 'connection refused', code: 'ECONNREFUSED', want: 502 },
    { desc: 'connection reset', code: 'ECONNRESET', want: 502 },
    { desc: 'server closed the connection (EOF)', code: 'UND_ERR_SOCKET', want: 502 },
    { desc: 'unknown host', code: 'ENOTFOUND', want: 502 },
    { desc: 'pool closed under the request', code: 'UND_ERR_CLOSED', want: 502 },
    { desc: 'dial timeout', code: 'UND_ERR_CONNECT_TIMEOUT', want: 504 },
    { desc: 'response header timeout', code: 'UND_ERR_HEADERS_TIMEOUT', want: 504 },
    { desc: 'TLS verification failure', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', want: 500 },
    { desc: 'TLS to a cleartext server', code: 'ERR_SSL_WRONG_VERSION_NUMBER', want: 500 },
    { desc: 'malformed response', code: 'HPE_INVALID_CONSTANT', want: 500 },
    { desc: 'no code at all', code: undefined, want: 500 },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(statusForError(withCode(c.code)), c.want));
});

describe('statusText', () => {
  const cases = [
    { status: 499, want: 'Client Closed Request' },
    { status: 502, want: 'Bad Gateway' },
    { status: 504, want: 'Gateway Timeout' },
  ];
  for (const c of cases) test(String(c.status), () => assert.equal(statusText(c.status), c.want));
});
