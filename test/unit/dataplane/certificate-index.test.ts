import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CertificateIndex } from '../../../src/dataplane/tls/index.js';

describe('CertificateIndex (SNI selection)', () => {
  const index = new CertificateIndex<string>();
  index.add(['a.example.com', 'b.example.com'], 'ab');
  index.add(['*.example.com'], 'wildcard');
  index.add(['Exact.Example.com'], 'exact');
  index.add(['a.example.com'], 'second-a');
  index.add(['*.deep.example.com', 'trailing.test.'], 'deep');
  index.add(['10.0.0.1'], 'ip');

  const cases = [
    { desc: 'exact name', name: 'a.example.com', want: 'ab' },
    { desc: 'first certificate configured wins a name', name: 'a.example.com', want: 'ab' },
    { desc: 'exact beats wildcard', name: 'exact.example.com', want: 'exact' },
    { desc: 'lookup ignores case', name: 'EXACT.example.COM', want: 'exact' },
    { desc: 'wildcard covers one label', name: 'x.example.com', want: 'wildcard' },
    { desc: 'wildcard does not cover two labels', name: 'x.y.example.com', want: undefined },
    { desc: 'wildcard does not cover its parent', name: 'example.com', want: undefined },
    { desc: 'a deeper wildcard', name: 'x.deep.example.com', want: 'deep' },
    { desc: 'certificate names lose a trailing dot', name: 'trailing.test', want: 'deep' },
    { desc: 'IP SAN', name: '10.0.0.1', want: 'ip' },
    { desc: 'unknown name', name: 'other.test', want: undefined },
    { desc: 'no name', name: '', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(index.find(c.name), c.want));
});
