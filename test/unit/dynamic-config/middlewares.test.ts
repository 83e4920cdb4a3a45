import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MIDDLEWARE_TYPES,
  Middleware,
  parseStatusRange,
  type MiddlewareType,
} from '../../../src/config/dynamic/index.js';
import { fromZodError } from '../../../src/config/index.js';

// Compile-time: every type the schema can produce is listed in MIDDLEWARE_TYPES
// (the other direction is checked by `satisfies` in the schema file).
type Unlisted = Exclude<MiddlewareType, (typeof MIDDLEWARE_TYPES)[number]>;
const everyTypeListed: [Unlisted] extends [never] ? true : false = true;

interface ValidCase {
  desc: string;
  input: unknown;
  want: Middleware;
}

const validCases: ValidCase[] = [
  {
    desc: 'addPrefix',
    input: { addPrefix: { prefix: '/api' } },
    want: { type: 'addPrefix', prefix: '/api' },
  },
  {
    desc: 'basicAuth with users and options',
    input: {
      basicAuth: {
        users: ['test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'],
        realm: 'admin',
        removeHeader: true,
        headerField: 'X-WebAuth-User',
      },
    },
    want: {
      type: 'basicAuth',
      users: ['test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/'],
      realm: 'admin',
      removeHeader: true,
      headerField: 'X-WebAuth-User',
    },
  },
  {
    desc: 'basicAuth with a users file only',
    input: { basicAuth: { usersFile: '/etc/traefik/users' } },
    want: { type: 'basicAuth', usersFile: '/etc/traefik/users' },
  },
  {
    desc: 'buffering',
    input: {
      buffering: {
        maxRequestBodyBytes: 2000000,
        memRequestBodyBytes: 1048576,
        maxResponseBodyBytes: 0,
        memResponseBodyBytes: 1048576,
        retryExpression: 'IsNetworkError() && Attempts() < 2',
        disableResponseBuffer: true,
      },
    },
    want: {
      type: 'buffering',
      maxRequestBodyBytes: 2000000,
      memRequestBodyBytes: 1048576,
      maxResponseBodyBytes: 0,
      memResponseBodyBytes: 1048576,
      retryExpression: 'IsNetworkError() && Attempts() < 2',
      disableResponseBuffer: true,
    },
  },
  {
    desc: 'chain',
    input: { chain: { middlewares: ['auth', 'strip@file'] } },
    want: { type: 'chain', middlewares: ['auth', 'strip@file'] },
  },
  {
    desc: 'circuitBreaker with durations in milliseconds',
    input: {
      circuitBreaker: {
        expression: 'LatencyAtQuantileMS(50.0) > 100',
        checkPeriod: '100ms',
        fallbackDuration: '10s',
        recoveryDuration: 30,
        responseCode: 502,
      },
    },
    want: {
      type: 'circuitBreaker',
      expression: 'LatencyAtQuantileMS(50.0) > 100',
      checkPeriod: 100,
      fallbackDuration: 10_000,
      recoveryDuration: 30_000,
      responseCode: 502,
    },
  },
  {
    desc: 'compress with no options',
    input: { compress: {} },
    want: { type: 'compress' },
  },
  {
    desc: 'compress as a bare YAML key',
    input: { compress: null },
    want: { type: 'compress' },
  },
  {
    desc: 'compress in its label form',
    input: { compress: true },
    want: { type: 'compress' },
  },
  {
    desc: 'compress with options',
    input: {
      compress: {
        excludedContentTypes: ['text/event-stream'],
        minResponseBodyBytes: 512,
        encodings: ['zstd', 'gzip'],
        defaultEncoding: 'gzip',
      },
    },
    want: {
      type: 'compress',
      excludedContentTypes: ['text/event-stream'],
      minResponseBodyBytes: 512,
      encodings: ['zstd', 'gzip'],
      defaultEncoding: 'gzip',
    },
  },
  {
    desc: 'contentType',
    input: { contentType: {} },
    want: { type: 'contentType' },
  },
  {
    desc: 'contentType with the deprecated autoDetect',
    input: { contentType: { autoDetect: true } },
    want: { type: 'contentType', autoDetect: true },
  },
  {
    desc: 'digestAuth',
    input: { digestAuth: { users: ['test:traefik:a2688e031edb4be6a3797f3882655c05'], realm: 'traefik' } },
    want: { type: 'digestAuth', users: ['test:traefik:a2688e031edb4be6a3797f3882655c05'], realm: 'traefik' },
  },
  {
    desc: 'errors with ranges and rewrites',
    input: {
      errors: {
        status: ['500', '501', '505-599'],
        statusRewrites: { '418': 404, '502-504': '500' },
        service: 'error-pages',
        query: '/{status}.html',
        errorRequestHeaders: ['Accept'],
      },
    },
    want: {
      type: 'errors',
      status: ['500', '501', '505-599'],
      statusRewrites: { '418': 404, '502-504': 500 },
      service: 'error-pages',
      query: '/{status}.html',
      errorRequestHeaders: ['Accept'],
    },
  },
  {
    desc: 'forwardAuth with every option',
    input: {
      forwardAuth: {
        address: 'https://auth.example.com/verify',
        tls: { ca: '/certs/ca.pem', cert: '/certs/c.pem', key: '/certs/c.key', insecureSkipVerify: false },
        trustForwardHeader: true,
        authResponseHeaders: ['X-User'],
        authResponseHeadersRegex: '^X-Auth-',
        authRequestHeaders: ['Cookie'],
        addAuthCookiesToResponse: ['session'],
        headerField: 'X-Forwarded-User',
        forwardBody: true,
        maxBodySize: 1024,
        maxResponseBodySize: -1,
        preserveLocationHeader: true,
        preserveRequestMethod: true,
      },
    },
    want: {
      type: 'forwardAuth',
      address: 'https://auth.example.com/verify',
      tls: { ca: '/certs/ca.pem', cert: '/certs/c.pem', key: '/certs/c.key', insecureSkipVerify: false },
      trustForwardHeader: true,
      authResponseHeaders: ['X-User'],
      authResponseHeadersRegex: '^X-Auth-',
      authRequestHeaders: ['Cookie'],
      addAuthCookiesToResponse: ['session'],
      headerField: 'X-Forwarded-User',
      forwardBody: true,
      maxBodySize: 1024,
      maxResponseBodySize: -1,
      preserveLocationHeader: true,
      preserveRequestMethod: true,
    },
  },
  {
    desc: 'grpcWeb',
    input: { grpcWeb: { allowOrigins: ['*'] } },
    want: { type: 'grpcWeb', allowOrigins: ['*'] },
  },
  {
    desc: 'headers with custom, CORS, security and deprecated options',
    input: {
      headers: {
        customRequestHeaders: { 'X-Script-Name': 'test', 'X-Remove-Me': '' },
        customResponseHeaders: { 'X-Custom': 'value' },
        accessControlAllowCredentials: true,
        accessControlAllowHeaders: ['*'],
        accessControlAllowMethods: ['GET', 'OPTIONS'],
        accessControlAllowOriginList: ['https://example.org'],
        accessControlAllowOriginListRegex: ['^https://.*\\.example\\.org$'],
        accessControlExposeHeaders: ['X-Total'],
        accessControlMaxAge: 100,
        addVaryHeader: true,
        allowedHosts: ['example.org'],
        hostsProxyHeaders: ['X-Forwarded-Host'],
        sslProxyHeaders: { 'X-Forwarded-Proto': 'https' },
        stsSeconds: 31536000,
        stsIncludeSubdomains: true,
        stsPreload: true,
        forceSTSHeader: true,
        frameDeny: true,
        customFrameOptionsValue: 'SAMEORIGIN',
        contentTypeNosniff: true,
        browserXssFilter: true,
        customBrowserXSSValue: '0',
        contentSecurityPolicy: "default-src 'self'",
        contentSecurityPolicyReportOnly: "default-src 'none'",
        publicKey: 'pin-sha256="base64+primary=="; max-age=5184000',
        referrerPolicy: 'same-origin',
        permissionsPolicy: 'camera=()',
        isDevelopment: false,
        featurePolicy: "camera 'none'",
        sslRedirect: true,
        sslTemporaryRedirect: false,
        sslHost: 'example.org',
        sslForceHost: true,
      },
    },
    want: {
      type: 'headers',
      customRequestHeaders: { 'X-Script-Name': 'test', 'X-Remove-Me': '' },
      customResponseHeaders: { 'X-Custom': 'value' },
      accessControlAllowCredentials: true,
      accessControlAllowHeaders: ['*'],
      accessControlAllowMethods: ['GET', 'OPTIONS'],
      accessControlAllowOriginList: ['https://example.org'],
      accessControlAllowOriginListRegex: ['^https://.*\\.example\\.org$'],
      accessControlExposeHeaders: ['X-Total'],
      accessControlMaxAge: 100,
      addVaryHeader: true,
      allowedHosts: ['example.org'],
      hostsProxyHeaders: ['X-Forwarded-Host'],
      sslProxyHeaders: { 'X-Forwarded-Proto': 'https' },
      stsSeconds: 31536000,
      stsIncludeSubdomains: true,
      stsPreload: true,
      forceSTSHeader: true,
      frameDeny: true,
      customFrameOptionsValue: 'SAMEORIGIN',
      contentTypeNosniff: true,
      browserXssFilter: true,
      customBrowserXSSValue: '0',
      contentSecurityPolicy: "default-src 'self'",
      contentSecurityPolicyReportOnly: "default-src 'none'",
      publicKey: 'pin-sha256="base64+primary=="; max-age=5184000',
      referrerPolicy: 'same-origin',
      permissionsPolicy: 'camera=()',
      isDevelopment: false,
      featurePolicy: "camera 'none'",
      sslRedirect: true,
      sslTemporaryRedirect: false,
      sslHost: 'example.org',
      sslForceHost: true,
    },
  },
  {
    desc: 'ipAllowList with v4 and v6 addresses and ranges',
    input: {
      ipAllowList: {
        sourceRange: ['127.0.0.1/32', '192.168.1.7', '::1', '2001:db8::/32', '::ffff:10.0.0.0/104'],
        ipStrategy: { depth: 2, excludedIPs: ['10.0.0.0/8'], ipv6Subnet: 64 },
        rejectStatusCode: 404,
      },
    },
    want: {
      type: 'ipAllowList',
      sourceRange: ['127.0.0.1/32', '192.168.1.7', '::1', '2001:db8::/32', '::ffff:10.0.0.0/104'],
      ipStrategy: { depth: 2, excludedIPs: ['10.0.0.0/8'], ipv6Subnet: 64 },
      rejectStatusCode: 404,
    },
  },
  {
    desc: 'ipAllowList with an empty ipStrategy in its label form',
    input: { ipAllowList: { sourceRange: ['10.0.0.0/8'], ipStrategy: true } },
    want: { type: 'ipAllowList', sourceRange: ['10.0.0.0/8'], ipStrategy: {} },
  },
  {
    desc: 'the deprecated ipWhiteList decodes to ipAllowList',
    input: { ipWhiteList: { sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 1 } } },
    want: { type: 'ipAllowList', sourceRange: ['10.0.0.0/8'], ipStrategy: { depth: 1 } },
  },
  {
    desc: 'inFlightReq',
    input: { inFlightReq: { amount: 10, sourceCriterion: { requestHeaderName: 'X-Tenant' } } },
    want: { type: 'inFlightReq', amount: 10, sourceCriterion: { requestHeaderName: 'X-Tenant' } },
  },
  {
    desc: 'passTLSClientCert',
    input: {
      passTLSClientCert: {
        pem: true,
        info: {
          notAfter: true,
          sans: true,
          subject: { commonName: true, organizationalUnit: true },
          issuer: { country: true, domainComponent: true },
        },
      },
    },
    want: {
      type: 'passTLSClientCert',
      pem: true,
      info: {
        notAfter: true,
        sans: true,
        subject: { commonName: true, organizationalUnit: true },
        issuer: { country: true, domainComponent: true },
      },
    },
  },
  {
    desc: 'rateLimit with a source criterion and Redis',
    input: {
      rateLimit: {
        average: 100,
        period: '1m',
        burst: 200,
        sourceCriterion: { ipStrategy: { excludedIPs: ['2001:db8::1'] } },
        redis: { endpoints: ['redis:6379'], db: 2, readTimeout: '3s', denyOnError: false },
      },
    },
    want: {
      type: 'rateLimit',
      average: 100,
      period: 60_000,
      burst: 200,
      sourceCriterion: { ipStrategy: { excludedIPs: ['2001:db8::1'] } },
      redis: { endpoints: ['redis:6379'], db: 2, readTimeout: 3000, denyOnError: false },
    },
  },
  {
    desc: 'redirectRegex',
    input: {
      redirectRegex: {
        regex: '^http://localhost/(.*)',
        replacement: 'http://mydomain/${1}',
        permanent: true,
      },
    },
    want: {
      type: 'redirectRegex',
      regex: '^http://localhost/(.*)',
      replacement: 'http://mydomain/${1}',
      permanent: true,
    },
  },
  {
    desc: 'redirectScheme with the port written as a number',
    input: { redirectScheme: { scheme: 'https', port: 8443, permanent: true } },
    want: { type: 'redirectScheme', scheme: 'https', port: '8443', permanent: true },
  },
  {
    desc: 'replacePath',
    input: { replacePath: { path: '/foo' } },
    want: { type: 'replacePath', path: '/foo' },
  },
  {
    desc: 'replacePathRegex',
    input: { replacePathRegex: { regex: '^/foo/(.*)', replacement: '/bar/$1' } },
    want: { type: 'replacePathRegex', regex: '^/foo/(.*)', replacement: '/bar/$1' },
  },
  {
    desc: 'retry with every option',
    input: {
      retry: {
        attempts: 4,
        initialInterval: '100ms',
        timeout: '60s',
        maxRequestBodyBytes: 1024,
        status: ['400', '500-599'],
        disableRetryOnNetworkError: true,
        retryNonIdempotentMethod: true,
      },
    },
    want: {
      type: 'retry',
      attempts: 4,
      initialInterval: 100,
      timeout: 60_000,
      maxRequestBodyBytes: 1024,
      status: ['400', '500-599'],
      disableRetryOnNetworkError: true,
      retryNonIdempotentMethod: true,
    },
  },
  {
    desc: 'stripPrefix with the deprecated forceSlash',
    input: { stripPrefix: { prefixes: ['/foobar', '/fiibar'], forceSlash: false } },
    want: { type: 'stripPrefix', prefixes: ['/foobar', '/fiibar'], forceSlash: false },
  },
  {
    desc: 'stripPrefixRegex',
    input: { stripPrefixRegex: { regex: ['/foo/[a-z0-9]+/[0-9]+/'] } },
    want: { type: 'stripPrefixRegex', regex: ['/foo/[a-z0-9]+/[0-9]+/'] },
  },
  {
    desc: 'plugin keeps its options opaque',
    input: { plugin: { geoblock: { allowedCountries: ['FR'], nested: { depth: 1 } } } },
    want: { type: 'plugin', name: 'geoblock', config: { allowedCountries: ['FR'], nested: { depth: 1 } } },
  },
  {
    desc: 'plugin without options',
    input: { plugin: { noop: null } },
    want: { type: 'plugin', name: 'noop', config: {} },
  },
];

interface InvalidCase {
  desc: string;
  input: unknown;
  /** zod path of the single issue expected. */
  path: PropertyKey[];
  code: string;
  /** For unknown fields: the keys zod reports. */
  keys?: string[];
  message?: RegExp;
  /** A second issue expected at the root, e.g. the list of kinds after an unknown one. */
  alsoReports?: RegExp;
}

const invalidCases: InvalidCase[] = [
  {
    desc: 'unknown field inside a kind',
    input: { stripPrefix: { prefixes: ['/a'], prefix: '/b' } },
    path: ['stripPrefix'],
    code: 'unrecognized_keys',
    keys: ['prefix'],
  },
  {
    desc: 'unknown field inside a nested option',
    input: { rateLimit: { sourceCriterion: { ipStrategy: { depht: 1 } } } },
    path: ['rateLimit', 'sourceCriterion', 'ipStrategy'],
    code: 'unrecognized_keys',
    keys: ['depht'],
  },
  {
    desc: 'unknown middleware kind (Traefik spells it ipAllowList)',
    input: { ipAllowlist: { sourceRange: ['10.0.0.0/8'] } },
    path: [],
    code: 'unrecognized_keys',
    keys: ['ipAllowlist'],
    alsoReports: /needs one of .*ipAllowList/,
  },
  {
    desc: 'rejectStatusCode does not exist on the deprecated ipWhiteList',
    input: { ipWhiteList: { sourceRange: ['10.0.0.0/8'], rejectStatusCode: 404 } },
    path: ['ipWhiteList'],
    code: 'unrecognized_keys',
    keys: ['rejectStatusCode'],
  },
  {
    desc: 'wrong type: prefixes is a list',
    input: { stripPrefix: { prefixes: '/foo' } },
    path: ['stripPrefix', 'prefixes'],
    code: 'invalid_type',
  },
  {
    desc: 'wrong type: burst is a number',
    input: { rateLimit: { average: 10, burst: 'lots' } },
    path: ['rateLimit', 'burst'],
    code: 'invalid_type',
  },
  {
    desc: 'wrong type: a kind is an object',
    input: { headers: 'X-Foo: bar' },
    path: ['headers'],
    code: 'invalid_type',
  },
  {
    desc: 'two kinds in one middleware',
    input: { stripPrefix: { prefixes: ['/a'] }, addPrefix: { prefix: '/b' } },
    path: [],
    code: 'custom',
    message: /exactly one kind, found addPrefix and stripPrefix/,
  },
  {
    desc: 'ipAllowList and its deprecated alias together',
    input: { ipAllowList: { sourceRange: ['10.0.0.0/8'] }, ipWhiteList: { sourceRange: ['10.0.0.0/8'] } },
    path: [],
    code: 'custom',
    message: /exactly one kind, found ipAllowList and ipWhiteList/,
  },
  {
    desc: 'zero kinds',
    input: {},
    path: [],
    code: 'custom',
    message: /needs one of addPrefix, basicAuth, /,
  },
  {
    desc: 'bad CIDR: prefix length too long for IPv4',
    input: { ipAllowList: { sourceRange: ['10.0.0.0/8', '192.168.0.0/33'] } },
    path: ['ipAllowList', 'sourceRange', 1],
    code: 'custom',
    message: /IP address or a CIDR range/,
  },
  {
    desc: 'bad CIDR: not an address',
    input: { ipWhiteList: { sourceRange: ['localhost'] } },
    path: ['ipWhiteList', 'sourceRange', 0],
    code: 'custom',
  },
  {
    desc: 'bad CIDR: IPv6 prefix length too long',
    input: { ipAllowList: { sourceRange: ['2001:db8::/129'] } },
    path: ['ipAllowList', 'sourceRange', 0],
    code: 'custom',
  },
  {
    desc: 'bad CIDR: an IPv4 octet out of range',
    input: { ipAllowList: { sourceRange: ['10.0.0.256'] } },
    path: ['ipAllowList', 'sourceRange', 0],
    code: 'custom',
  },
  {
    desc: 'bad CIDR in excludedIPs',
    input: { inFlightReq: { amount: 1, sourceCriterion: { ipStrategy: { excludedIPs: ['10.0.0/8'] } } } },
    path: ['inFlightReq', 'sourceCriterion', 'ipStrategy', 'excludedIPs', 0],
    code: 'custom',
  },
  {
    desc: 'empty sourceRange',
    input: { ipAllowList: { sourceRange: [] } },
    path: ['ipAllowList', 'sourceRange'],
    code: 'too_small',
  },
  {
    desc: 'bad status range: reversed',
    input: { errors: { status: ['599-500'], service: 'errors' } },
    path: ['errors', 'status', 0],
    code: 'custom',
    message: /inclusive range/,
  },
  {
    desc: 'bad status range: not a code',
    input: { errors: { status: ['5xx'], service: 'errors' } },
    path: ['errors', 'status', 0],
    code: 'custom',
  },
  {
    desc: 'bad status range: comma-joined entries belong to labels only',
    input: { errors: { status: ['500,502'], service: 'errors' } },
    path: ['errors', 'status', 0],
    code: 'custom',
  },
  {
    desc: 'bad status range as a statusRewrites key',
    input: { errors: { statusRewrites: { '50x': 500 }, service: 'errors' } },
    path: ['errors', 'statusRewrites', '50x'],
    code: 'custom',
  },
  {
    desc: 'bad status range in retry',
    input: { retry: { attempts: 2, status: ['500-'] } },
    path: ['retry', 'status', 0],
    code: 'custom',
  },
  {
    desc: 'errors needs a service',
    input: { errors: { status: ['500-599'] } },
    path: ['errors', 'service'],
    code: 'invalid_type',
  },
  {
    desc: 'negative rateLimit average',
    input: { rateLimit: { average: -1 } },
    path: ['rateLimit', 'average'],
    code: 'too_small',
  },
  {
    desc: 'negative rateLimit burst',
    input: { rateLimit: { average: 1, burst: -5 } },
    path: ['rateLimit', 'burst'],
    code: 'too_small',
  },
  {
    desc: 'negative rateLimit period',
    input: { rateLimit: { average: 1, period: '-1s' } },
    path: ['rateLimit', 'period'],
    code: 'custom',
  },
  {
    desc: 'bad duration',
    input: { circuitBreaker: { expression: 'NetworkErrorRatio() > 0.5', checkPeriod: 'soon' } },
    path: ['circuitBreaker', 'checkPeriod'],
    code: 'custom',
    message: /invalid duration/,
  },
  {
    desc: 'sourceCriterion strategies are mutually exclusive',
    input: { rateLimit: { average: 1, sourceCriterion: { requestHost: true, requestHeaderName: 'X-A' } } },
    path: ['rateLimit', 'sourceCriterion'],
    code: 'custom',
    message: /requestHeaderName, requestHost are mutually exclusive/,
  },
  {
    desc: 'empty regex',
    input: { replacePathRegex: { regex: '', replacement: '/x' } },
    path: ['replacePathRegex', 'regex'],
    code: 'too_small',
  },
  {
    desc: 'empty regex in a list',
    input: { stripPrefixRegex: { regex: ['/a', ''] } },
    path: ['stripPrefixRegex', 'regex', 1],
    code: 'too_small',
  },
  {
    desc: 'redirectRegex needs a regex',
    input: { redirectRegex: { replacement: 'https://example.org' } },
    path: ['redirectRegex', 'regex'],
    code: 'invalid_type',
  },
  {
    desc: 'addPrefix needs a prefix',
    input: { addPrefix: { prefix: '' } },
    path: ['addPrefix', 'prefix'],
    code: 'too_small',
  },
  {
    desc: 'retry needs at least one attempt',
    input: { retry: { attempts: 0 } },
    path: ['retry', 'attempts'],
    code: 'too_small',
  },
  {
    desc: 'retry without network retries needs status codes',
    input: { retry: { attempts: 3, disableRetryOnNetworkError: true } },
    path: ['retry', 'status'],
    code: 'custom',
  },
  {
    desc: 'basicAuth needs users',
    input: { basicAuth: { realm: 'x' } },
    path: ['basicAuth', 'users'],
    code: 'custom',
  },
  {
    desc: 'basicAuth user without a password hash',
    input: { basicAuth: { users: ['alice'] } },
    path: ['basicAuth', 'users', 0],
    code: 'invalid_format',
  },
  {
    desc: 'digestAuth user without a realm',
    input: { digestAuth: { users: ['alice:hash'] } },
    path: ['digestAuth', 'users', 0],
    code: 'invalid_format',
  },
  {
    desc: 'compress: unsupported encoding',
    input: { compress: { encodings: ['deflate'] } },
    path: ['compress', 'encodings', 0],
    code: 'invalid_value',
  },
  {
    desc: 'compress: default encoding outside the encodings',
    input: { compress: { encodings: ['br'], defaultEncoding: 'gzip' } },
    path: ['compress', 'defaultEncoding'],
    code: 'custom',
  },
  {
    desc: 'compress: included and excluded content types together',
    input: { compress: { excludedContentTypes: ['text/plain'], includedContentTypes: ['text/html'] } },
    path: ['compress', 'includedContentTypes'],
    code: 'custom',
  },
  {
    desc: 'redirectScheme: port out of range',
    input: { redirectScheme: { scheme: 'https', port: '70000' } },
    path: ['redirectScheme', 'port'],
    code: 'custom',
  },
  {
    desc: 'inFlightReq amount must be positive',
    input: { inFlightReq: { amount: 0 } },
    path: ['inFlightReq', 'amount'],
    code: 'too_small',
  },
  {
    desc: 'ipv6Subnet outside 1-128',
    input: { ipAllowList: { sourceRange: ['::/0'], ipStrategy: { ipv6Subnet: 129 } } },
    path: ['ipAllowList', 'ipStrategy', 'ipv6Subnet'],
    code: 'too_big',
  },
  {
    desc: 'plugin naming two plugins',
    input: { plugin: { a: {}, b: {} } },
    path: ['plugin'],
    code: 'custom',
  },
  {
    desc: 'forwardAuth maxBodySize below -1',
    input: { forwardAuth: { address: 'http://auth', maxBodySize: -2 } },
    path: ['forwardAuth', 'maxBodySize'],
    code: 'too_small',
  },
];

describe('Middleware schema', () => {
  for (const c of validCases) {
    test(`decodes ${c.desc}`, () => {
      const parsed = Middleware.safeParse(c.input);
      assert.ok(parsed.success, parsed.error?.message);
      assert.deepEqual(parsed.data, c.want);
    });
  }

  for (const c of invalidCases) {
    test(`rejects ${c.desc}`, () => {
      const parsed = Middleware.safeParse(c.input);
      assert.equal(parsed.success, false);
      const [issue, ...others] = parsed.error!.issues;
      assert.equal(others.length, c.alsoReports ? 1 : 0, JSON.stringify(parsed.error!.issues));
      if (c.alsoReports) {
        assert.deepEqual(others[0]!.path, []);
        assert.match(others[0]!.message, c.alsoReports);
      }
      assert.deepEqual(issue!.path, c.path);
      assert.equal(issue!.code, c.code);
      if (c.keys) assert.deepEqual('keys' in issue! ? issue.keys : undefined, c.keys);
      if (c.message) assert.match(issue!.message, c.message);
    });
  }

  test('MIDDLEWARE_TYPES lists exactly the types the examples decode to', () => {
    assert.equal(everyTypeListed, true);
    const decoded = new Set(validCases.map((c) => c.want.type));
    assert.deepEqual([...decoded].sort(), [...MIDDLEWARE_TYPES].sort());
  });

  test('errors carry the full field path once converted to ConfigErrors', () => {
    const unknown = Middleware.safeParse({ stripPrefix: { prefixes: [], prefix: '/b' } });
    assert.deepEqual(
      fromZodError('http.middlewares.strip@file', unknown.error!).map((e) => e.toJSON()),
      [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'http.middlewares.strip@file.stripPrefix.prefix',
          message: 'unknown field',
        },
      ],
    );
    const badCidr = Middleware.safeParse({ ipAllowList: { sourceRange: ['300.0.0.0/8'] } });
    const [error] = fromZodError('http.middlewares.lan@docker', badCidr.error!);
    assert.equal(error?.code, 'CONFIG_INVALID');
    assert.equal(error?.path, 'http.middlewares.lan@docker.ipAllowList.sourceRange[0]');
  });
});

describe('parseStatusRange', () => {
  const cases: { desc: string; input: string; want: readonly [number, number] | undefined }[] = [
    { desc: 'a single code', input: '404', want: [404, 404] },
    { desc: 'an inclusive range', input: '500-599', want: [500, 599] },
    { desc: 'spaces around the parts', input: ' 500 - 599 ', want: [500, 599] },
    { desc: 'a reversed range', input: '599-500', want: undefined },
    { desc: 'a code below 100', input: '099', want: undefined },
    { desc: 'a comma-joined list', input: '500,502', want: undefined },
    { desc: 'an empty string', input: '', want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(parseStatusRange(c.input), c.want));
});
