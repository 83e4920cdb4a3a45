import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { CertificateFiles } from '../../config/dynamic/index.js';
import { ConfigError, fail, ok, type Result } from '../../config/errors.js';
import { readPem } from './pem-source.js';
import {
  certificateFields,
  opensslFields,
  pemBlock,
  privateKeyFacts,
  sameKey,
  type CertificateFields,
} from './x509-fields.js';

export interface KeyPair {
  /** PEM, the leaf first and any intermediates after it. */
  readonly cert: string;
  readonly key: string;
  /** A digest of both, naming the pair in caches. */
  readonly id: string;
}

/** Reads a certFile/keyFile pair, each a path or inline PEM. Checks nothing yet. */
export async function readKeyPair(files: CertificateFiles, path: string): Promise<Result<KeyPair>> {
  const [cert, key] = await Promise.all([
    readPem(files.certFile, `${path}.certFile`),
    readPem(files.keyFile, `${path}.keyFile`),
  ]);
  if (!cert.ok || !key.ok) return fail(...(cert.ok ? [] : cert.errors), ...(key.ok ? [] : key.errors));
  return ok(keyPair(cert.value, key.value));
}

export function keyPair(cert: string, key: string): KeyPair {
  const id = createHash('sha256').update(cert).update('\0').update(key).digest('hex');
  return { cert, key, id };
}

/**
 * The names a certificate serves, lower-case, as Traefik files it: the subject's common
 * name, then the DNS and IP subject alternative names. Fails when the certificate or the
 * key does not parse, or when they do not belong together.
 */
export function certificateNames(pair: KeyPair, path: string): Result<string[]> {
  const read = namesReadHere(pair);
  return read !== undefined ? ok(read) : namesFromOpenSsl(pair, path);
}

/**
 * The same answer read from the DER in JavaScript: OpenSSL 3 takes about a millisecond to
 * load a certificate and its key, a new data node is handed ten thousand of them at once.
 * Only a match is trusted here (both halves compared, as X509_check_private_key does);
 * anything else, a mismatch included, goes to OpenSSL, whose answer and error the user sees.
 */
function namesReadHere(pair: KeyPair): string[] | undefined {
  const cert = pemBlock(pair.cert, /^CERTIFICATE$/);
  const key = pemBlock(pair.key, /PRIVATE KEY$/);
  if (cert === undefined || key === undefined) return undefined;
  const fields = certificateFields(cert.der);
  const keyFacts = privateKeyFacts(key.label, key.der);
  if (fields?.publicKey === undefined || keyFacts === undefined || !sameKey(fields.publicKey, keyFacts))
    return undefined;
  return servedNames(fields);
}

function namesFromOpenSsl(pair: KeyPair, path: string): Result<string[]> {
  try {
    const x509 = new X509Certificate(pair.cert);
    if (!x509.checkPrivateKey(createPrivateKey(pair.key))) {
      return fail(new ConfigError('TLS_INVALID', path, 'the key does not belong to the certificate'));
    }
    return ok(servedNames(opensslFields(x509)));
  } catch (err) {
    return fail(
      new ConfigError('TLS_INVALID', path, `invalid certificate or key: ${(err as Error).message}`),
    );
  }
}

/** What SNI serves the certificate for: its common name and alternative names, lower-cased. */
function servedNames({ commonName, altNames }: Pick<CertificateFields, 'commonName' | 'altNames'>): string[] {
  const names = new Set<string>();
  if (commonName) names.add(commonName.toLowerCase());
  for (const alt of altNames) names.add(alt.name.toLowerCase());
  return [...names];
}
