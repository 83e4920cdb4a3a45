import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { isIP, connect } from 'node:net';
import { ConfigError, fail, ok, type Result } from '../../../config/errors.js';
import type { DnsRecord } from '../acme-records.js';
import { envSeconds, type DnsProvider, type Env } from './dns-provider.js';
import {
  decodeResponseHeader,
  encodeTxtUpdate,
  parseTsigAlgorithm,
  type TsigKey,
  type TxtUpdate,
  type UpdateResponse,
} from './rfc2136-message.js';

// lego's `rfc2136` provider: dynamic updates to RFC2136_NAMESERVER, signed with the TSIG
// key RFC2136_TSIG_KEY / RFC2136_TSIG_SECRET (RFC2136_TSIG_ALGORITHM, hmac-sha1 unless
// told). The zone is the nearest name above the record with an SOA, asked of the same
// server.

const PATH = 'certificatesResolvers.dnsChallenge.provider';
const FUDGE_SECONDS = 300;

export interface NameServer {
  readonly host: string;
  readonly port: number;
}

export function parseNameServer(text: string): NameServer | undefined {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed !== null) return withPort(bracketed[1]!, bracketed[2]);
  if (isIP(trimmed) === 6) return { host: trimmed, port: 53 };
  const [host, port, ...rest] = trimmed.split(':');
  if (host === undefined || host === '' || rest.length > 0) return undefined;
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): NameServer | undefined {
  const number = port === undefined ? 53 : Number(port);
  return Number.isInteger(number) && number > 0 && number < 65536 ? { host, port: number } : undefined;
}

export function rfc2136Provider(env: Env): Result<DnsProvider> {
  const server = parseNameServer(env.RFC2136_NAMESERVER ?? '');
  if (server === undefined) {
    return fail(
      new ConfigError('STATIC_INVALID', PATH, 'provider rfc2136 needs RFC2136_NAMESERVER (host[:port])'),
    );
  }
  let key: TsigKey | undefined;
  const keyName = env.RFC2136_TSIG_KEY?.trim() ?? '';
  const secret = env.RFC2136_TSIG_SECRET?.trim() ?? '';
  if (keyName !== '' || secret !== '') {
    const algorithm = parseTsigAlgorithm(env.RFC2136_TSIG_ALGORITHM ?? 'hmac-sha1.');
    if (algorithm === undefined || keyName === '' || secret === '') {
      return fail(
        new ConfigError(
          'STATIC_INVALID',
          PATH,
          'provider rfc2136 needs RFC2136_TSIG_KEY and RFC2136_TSIG_SECRET together, and a known RFC2136_TSIG_ALGORITHM (hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512)',
        ),
      );
    }
    key = { name: keyName, algorithm, secret: Buffer.from(secret, 'base64') };
  }
  const ttl = Number(env.RFC2136_TTL ?? 120) || 120;
  const timeoutMs = envSeconds(env, 'RFC2136_DNS_TIMEOUT', 10_000);

  const update = async (action: 'add' | 'delete', record: DnsRecord): Promise<void> => {
    const zone = await findZone(server, record.fqdn, timeoutMs);
    const message: TxtUpdate = {
      id: randomInt(0, 65536),
      zone,
      name: record.fqdn,
      ttl,
      value: record.value,
      action,
    };
    const bytes = encodeTxtUpdate(
      message,
      key === undefined
        ? undefined
        : { key, timeSigned: Math.floor(Date.now() / 1000), fudge: FUDGE_SECONDS },
    );
    let answer = await exchangeUdp(server, bytes, timeoutMs);
    if (answer.truncated) answer = await exchangeTcp(server, bytes, timeoutMs);
    if (answer.id !== message.id) throw failure(`the answer from ${server.host} is for another message`);
    // Deleting a record that is not there is NOERROR; anything else is the server refusing.
    if (answer.rcode !== 'NOERROR') {
      const hint = answer.rcode === 'NOTAUTH' ? ' (check the TSIG key, secret and algorithm)' : '';
      throw failure(
        `${server.host}:${server.port} refused the update of ${record.fqdn}: ${answer.rcode}${hint}`,
      );
    }
  };
  return ok({
    present: (record) => update('add', record),
    cleanup: (record) => update('delete', record),
  });
}

const failure = (detail: string, cause?: unknown): ConfigError =>
  new ConfigError('ACME_CHALLENGE', PATH, `rfc2136: ${detail}`, cause === undefined ? undefined : { cause });

/** The closest enclosing zone of `fqdn`: the first name, going up, the server has an SOA for. */
async function findZone(server: NameServer, fqdn: string, timeoutMs: number): Promise<string> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  const address =
    isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
  resolver.setServers([address]);
  const labels = fqdn.replace(/\.$/, '').split('.');
  for (let i = 1; i < labels.length; i++) {
    const name = labels.slice(i).join('.');
    try {
      await resolver.resolveSoa(name);
      return `${name}.`;
    } catch {
      // No SOA at this name: try its parent.
    }
  }
  throw failure(`no zone above ${fqdn} has an SOA record at ${address}`);
}

function exchangeUdp(server: NameServer, message: Buffer, timeoutMs: number): Promise<UpdateResponse> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const timer = setTimeout(
      () => done(failure(`no answer from ${server.host}:${server.port} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const done = (result: UpdateResponse | Error): void => {
      clearTimeout(timer);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    socket.on('error', (err) =>
      done(failure(`sending to ${server.host}:${server.port}: ${err.message}`, err)),
    );
    socket.on('message', (answer) => {
      const header = decodeResponseHeader(answer);
      done(header ?? failure(`a malformed answer from ${server.host}:${server.port}`));
    });
    socket.send(message, server.port, server.host);
  });
}

function exchangeTcp(server: NameServer, message: Buffer, timeoutMs: number): Promise<UpdateResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let buffered = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(failure(`no answer over TCP within ${timeoutMs} ms`)));
    socket.on('error', (err) => reject(err instanceof ConfigError ? err : failure(err.message, err)));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const header = decodeResponseHeader(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      socket.end();
      if (header === undefined) reject(failure(`a malformed answer from ${server.host}:${server.port}`));
      else resolve(header);
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(message.length);
    socket.write(Buffer.concat([length, message]));
  });
}
