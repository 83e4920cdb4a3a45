import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StaticConfig } from '../../../src/config/static/index.js';
import { assertErrors, failed, loaded, type WantError } from './helpers.js';

const WEB = { SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS: ':80' };

describe('environment source', () => {
  const cases: { desc: string; env: NodeJS.ProcessEnv; pick: (c: StaticConfig) => unknown; want: unknown }[] =
    [
      {
        desc: 'SWITCHYARD_ENTRYPOINTS_<NAME>_ADDRESS mirrors TRAEFIK_ENTRYPOINTS_<NAME>_ADDRESS',
        env: { SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS: '[::1]:8443' },
        pick: (c) => [Object.keys(c.entryPoints), c.entryPoints.web!.host, c.entryPoints.web!.port],
        want: [['web'], '::1', 8443],
      },
      {
        desc: 'entrypoint names are lower-cased, as Traefik does',
        env: { SWITCHYARD_ENTRYPOINTS_WebSecure_ADDRESS: ':443' },
        pick: (c) => Object.keys(c.entryPoints),
        want: ['websecure'],
      },
      {
        desc: 'camel-case keys are matched from one upper-case segment',
        env: {
          ...WEB,
          SWITCHYARD_ENTRYPOINTS_WEB_FORWARDEDHEADERS_TRUSTEDIPS: '10.0.0.0/8,::1',
          SWITCHYARD_STATEDIR: '/var/sy',
        },
        pick: (c) => [c.entryPoints.web!.forwardedHeaders.trustedIPs, c.stateDir],
        want: [['10.0.0.0/8', '::1'], '/var/sy'],
      },
      {
        desc: 'a section set to true is enabled with its defaults',
        env: { ...WEB, SWITCHYARD_PING: 'true', SWITCHYARD_PING_ENTRYPOINT: 'web' },
        pick: (c) => c.ping,
        want: { entryPoint: 'web', manualRouting: false, terminatingStatusCode: 503 },
      },
      {
        desc: 'list sections take a numeric segment',
        env: {
          SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS: ':443',
          SWITCHYARD_ENTRYPOINTS_WEB_HTTP_TLS_DOMAINS_0_MAIN: 'example.com',
          SWITCHYARD_ENTRYPOINTS_WEB_HTTP_TLS_DOMAINS_0_SANS: 'www.example.com',
        },
        pick: (c) => c.entryPoints.web!.http.tls?.domains,
        want: [{ main: 'example.com', sans: ['www.example.com'] }],
      },
      {
        desc: 'booleans, numbers and durations are read from text',
        env: {
          ...WEB,
          SWITCHYARD_API_INSECURE: 'true',
          SWITCHYARD_API_DASHBOARD: 'false',
          SWITCHYARD_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_TO: ':443',
          SWITCHYARD_ENTRYPOINTS_WEB_HTTP_REDIRECTIONS_ENTRYPOINT_PRIORITY: '7',
          SWITCHYARD_PROVIDERS_PROVIDERSTHROTTLEDURATION: '10',
        },
        pick: (c) => [
          c.api,
          c.entryPoints.web!.http.redirections?.entryPoint?.priority,
          c.providers.providersThrottleDuration,
        ],
        want: [{ dashboard: false, insecure: true, debug: false }, 7, 10_000],
      },
      {
        desc: 'variables that do not start with a top-level key are not ours and are ignored',
        env: {
          ...WEB,
          SWITCHYARD_CONFIG: '/etc/sy.yml',
          SWITCHYARD_CLUSTER_TOKEN: 'x',
          PATH: '/bin',
          TRAEFIK_LOG_LEVEL: 'DEBUG',
        },
        pick: (c) => c.log.level,
        want: 'ERROR',
      },
      {
        desc: 'the prefix and the first segment are matched in upper case only, as Traefik does',
        env: { ...WEB, switchyard_log_level: 'DEBUG', SWITCHYARD_log_LEVEL: 'DEBUG' },
        pick: (c) => c.log.level,
        want: 'ERROR',
      },
      {
        desc: 'an undefined variable is skipped',
        env: { ...WEB, SWITCHYARD_LOG_LEVEL: undefined },
        pick: (c) => c.log.level,
        want: 'ERROR',
      },
    ];
  for (const c of cases) test(c.desc, () => assert.deepEqual(c.pick(loaded({ env: c.env })), c.want));

  const errors: { desc: string; env: NodeJS.ProcessEnv; want: WantError[] }[] = [
    {
      desc: 'an unknown key under a known top-level key',
      env: { ...WEB, SWITCHYARD_LOG_COLOUR: 'red' },
      want: [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'log.colour',
          says: /unknown key "colour"/,
          from: 'env SWITCHYARD_LOG_COLOUR',
        },
      ],
    },
    {
      desc: 'an entrypoint name with "_" splits into an unknown key, as in Traefik',
      env: { SWITCHYARD_ENTRYPOINTS_MY_WEB_ADDRESS: ':80' },
      want: [
        {
          code: 'CONFIG_UNKNOWN_FIELD',
          path: 'entryPoints.my.web',
          says: /unknown key "web"/,
          from: 'env SWITCHYARD_ENTRYPOINTS_MY_WEB_ADDRESS',
        },
      ],
    },
    {
      desc: 'an invalid address names the variable',
      env: { SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS: 'localhost' },
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints.web.address',
          says: /invalid address "localhost": missing port/,
          from: 'env SWITCHYARD_ENTRYPOINTS_WEB_ADDRESS',
        },
      ],
    },
    {
      desc: 'an invalid boolean names the variable',
      env: { ...WEB, SWITCHYARD_API_INSECURE: 'yes' },
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'api.insecure',
          says: /invalid boolean "yes"/,
          from: 'env SWITCHYARD_API_INSECURE',
        },
      ],
    },
    {
      desc: 'a top-level map given a value',
      env: { SWITCHYARD_ENTRYPOINTS: 'web' },
      want: [
        {
          code: 'STATIC_INVALID',
          path: 'entryPoints',
          says: /needs a name/,
          from: 'env SWITCHYARD_ENTRYPOINTS',
        },
      ],
    },
  ];
  for (const c of errors) test(`error: ${c.desc}`, () => assertErrors(failed({ env: c.env }), c.want));
});
