import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRequestedNames,
  MAX_NAMES,
  type Grant,
  type NamesRequest,
} from '../../../src/cluster/pki/index.js';

const dataGrant: Grant = { role: 'data', nodeId: 'edge-1', allowedIps: ['10.0.0.7', '2001:db8::7'] };
const controlGrant: Grant = {
  role: 'control',
  nodeId: 'cp-1',
  allowedDnsNames: ['cp-1.example.net', 'etcd.example.net'],
  allowedIps: ['10.0.0.5'],
};
const ask = (over: Partial<NamesRequest> & Pick<NamesRequest, 'nodeId' | 'role'>): NamesRequest => ({
  dnsNames: [],
  ipAddresses: [],
  ...over,
});

describe('checkRequestedNames: allowed', () => {
  const cases: {
    desc: string;
    request: NamesRequest;
    grant: Grant;
    want: { dnsNames: string[]; ipAddresses: string[] };
  }[] = [
    {
      desc: 'data node: nothing asked still gets its node id',
      request: ask({ nodeId: 'edge-1', role: 'data' }),
      grant: dataGrant,
      want: { dnsNames: ['edge-1'], ipAddresses: [] },
    },
    {
      desc: 'data node: its node id and own addresses, in any spelling',
      request: ask({
        nodeId: 'edge-1',
        role: 'data',
        dnsNames: ['edge-1'],
        ipAddresses: ['10.0.0.7', '2001:DB8:0::7'],
      }),
      grant: dataGrant,
      want: { dnsNames: ['edge-1'], ipAddresses: ['10.0.0.7', '2001:db8::7'] },
    },
    {
      desc: 'control node: its advertised names and addresses',
      request: ask({
        nodeId: 'cp-1',
        role: 'control',
        dnsNames: ['etcd.example.net', 'cp-1.example.net'],
        ipAddresses: ['10.0.0.5'],
      }),
      grant: controlGrant,
      want: { dnsNames: ['cp-1', 'etcd.example.net', 'cp-1.example.net'], ipAddresses: ['10.0.0.5'] },
    },
  ];
  for (const c of cases) {
    test(c.desc, () =>
      assert.deepEqual(checkRequestedNames(c.request, c.grant), { ok: true, value: c.want }),
    );
  }
});

describe('checkRequestedNames: refused', () => {
  const many = Array.from({ length: MAX_NAMES + 1 }, (_, i) => `n${i}`);
  const cases: { desc: string; request: NamesRequest; grant: Grant; path: string }[] = [
    {
      desc: 'a data node asking for the control role',
      request: ask({ nodeId: 'edge-1', role: 'control' }),
      grant: dataGrant,
      path: 'csr.subject.OU',
    },
    {
      desc: 'another node id than granted',
      request: ask({ nodeId: 'edge-2', role: 'data' }),
      grant: dataGrant,
      path: 'csr.subject.CN',
    },
    {
      desc: 'a data node asking for a public name',
      request: ask({ nodeId: 'edge-1', role: 'data', dnsNames: ['edge-1', 'shop.example.com'] }),
      grant: dataGrant,
      path: 'csr.dnsNames[1]',
    },
    {
      desc: 'a data node asking for a name listed in its grant (only control nodes get extra names)',
      request: ask({ nodeId: 'edge-1', role: 'data', dnsNames: ['edge.example.net'] }),
      grant: { ...dataGrant, allowedDnsNames: ['edge.example.net'] },
      path: 'csr.dnsNames[0]',
    },
    {
      desc: 'a data node asking for an address that is not its own',
      request: ask({ nodeId: 'edge-1', role: 'data', ipAddresses: ['10.0.0.8'] }),
      grant: dataGrant,
      path: 'csr.ipAddresses[0]',
    },
    {
      desc: 'a control node asking for a name outside its grant',
      request: ask({ nodeId: 'cp-1', role: 'control', dnsNames: ['cp-1.example.net', 'bank.example.com'] }),
      grant: controlGrant,
      path: 'csr.dnsNames[1]',
    },
    {
      desc: 'a wildcard, even when granted',
      request: ask({ nodeId: 'cp-1', role: 'control', dnsNames: ['*.example.net'] }),
      grant: { ...controlGrant, allowedDnsNames: ['*.example.net'] },
      path: 'csr.dnsNames[0]',
    },
    {
      desc: 'an upper-case or malformed DNS name',
      request: ask({ nodeId: 'cp-1', role: 'control', dnsNames: ['CP-1.example.net'] }),
      grant: { ...controlGrant, allowedDnsNames: ['CP-1.example.net'] },
      path: 'csr.dnsNames[0]',
    },
    {
      desc: 'the unspecified address, even when granted',
      request: ask({ nodeId: 'edge-1', role: 'data', ipAddresses: ['0.0.0.0'] }),
      grant: { ...dataGrant, allowedIps: ['0.0.0.0'] },
      path: 'csr.ipAddresses[0]',
    },
    {
      desc: 'more names than any node needs',
      request: ask({ nodeId: 'cp-1', role: 'control', dnsNames: many }),
      grant: { ...controlGrant, allowedDnsNames: many },
      path: 'csr.subjectAltName',
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const result = checkRequestedNames(c.request, c.grant);
      assert.equal(result.ok, false);
      if (!result.ok)
        assert.deepEqual([result.error.code, result.error.path], ['PKI_NAME_NOT_ALLOWED', c.path]);
    });
  }
});
