import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDynamicConfig } from '../../../src/config/dynamic/index.js';
import { mergeFileConfigs } from '../../../src/providers/index.js';

const file = (name: string, raw: unknown) => {
  const { config, errors } = decodeDynamicConfig(raw, name);
  assert.deepEqual(errors, []);
  return { file: name, config };
};
const lb = (url: string) => ({ loadBalancer: { servers: [{ url }] } });
const cert = (name: string) => ({ certFile: `/c/${name}.crt`, keyFile: `/c/${name}.key` });

describe('mergeFileConfigs', () => {
  const cases = [
    {
      desc: 'resources of different files are put together',
      files: [
        file('a.yml', { http: { services: { a: lb('http://a') } } }),
        file('b.yml', { http: { services: { b: lb('http://b') } } }),
      ],
      want: (c: ReturnType<typeof mergeFileConfigs>['config']) =>
        assert.deepEqual(Object.keys(c.http.services), ['a', 'b']),
      errors: [],
    },
    {
      desc: 'the same resource defined identically twice is no conflict',
      files: [
        file('a.yml', { http: { services: { s: lb('http://a') } } }),
        file('b.toml', { http: { services: { s: lb('http://a') } } }),
      ],
      want: (c: ReturnType<typeof mergeFileConfigs>['config']) =>
        assert.deepEqual(Object.keys(c.http.services), ['s']),
      errors: [],
    },
    {
      desc: 'the same resource defined differently: the first is kept, the later file gets a conflict',
      files: [
        file('a.yml', { http: { services: { s: lb('http://first') } } }),
        file('b.yml', { http: { services: { s: lb('http://second') } } }),
      ],
      want: (c: ReturnType<typeof mergeFileConfigs>['config']) => {
        const s = c.http.services.s;
        assert.ok(s?.type === 'loadBalancer');
        assert.equal(s.servers?.[0]?.url, 'http://first');
      },
      errors: [
        [
          'CONFIG_CONFLICT',
          'b.yml: http.services.s',
          'also defined, differently, in a.yml; the definition in a.yml is kept',
        ],
      ],
    },
    {
      desc: 'a router and a service of the same name do not conflict',
      files: [
        file('a.yml', { http: { routers: { x: { rule: 'Host(`x`)', service: 'x' } } } }),
        file('b.yml', { http: { services: { x: lb('http://x') } } }),
      ],
      want: (c: ReturnType<typeof mergeFileConfigs>['config']) => {
        assert.ok(c.http.routers.x);
        assert.ok(c.http.services.x);
      },
      errors: [],
    },
    {
      desc: 'TLS options are merged by name with the same conflict rule',
      files: [
        file('a.yml', { tls: { options: { o: { minVersion: 'VersionTLS12' } } } }),
        file('b.yml', { tls: { options: { o: { minVersion: 'VersionTLS13' } } } }),
      ],
      want: (c: ReturnType<typeof mergeFileConfigs>['config']) =>
        assert.equal(c.tls.options.o?.minVersion, 'VersionTLS12'),
      errors: [
        [
          'CONFIG_CONFLICT',
          'b.yml: tls.options.o',
          'also defined, differently, in a.yml; the definition in a.yml is kept',
        ],
      ],
    },
    {
      desc: 'certificates are concatenated in file order; an exact repeat is dropped',
      files: [
        file('a.yml', { tls: { certificates: [cert('one'), cert('two')] } }),
        file('b.yml', { tls: { certificates: [cert('two'), cert('three')] } }),
      ],
      want: (c: ReturnType<typeof mergeFileConfigs>['config']) =>
        assert.deepEqual(
          c.tls.certificates.map((x) => x.certFile),
          ['/c/one.crt', '/c/two.crt', '/c/three.crt'],
        ),
      errors: [],
    },
  ];
  for (const c of cases) {
    test(c.desc, () => {
      const { config, errors } = mergeFileConfigs(c.files);
      c.want(config);
      assert.deepEqual(
        errors.map((e) => [e.code, e.path, e.detail]),
        c.errors,
      );
    });
  }

  test('the inputs are not modified', () => {
    const files = [
      file('a.yml', { http: { services: { s: lb('http://first') } } }),
      file('b.yml', { http: { services: { s: lb('http://second'), t: lb('http://t') } } }),
    ];
    const before = structuredClone(files);
    mergeFileConfigs(files);
    assert.deepEqual(files, before);
  });
});
