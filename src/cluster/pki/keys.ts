import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { PemConverter } from '@peculiar/x509';

// Every key in the cluster is ECDSA on P-256 with SHA-256. It is the one curve that every
// party speaks: Node's TLS and WebCrypto, grpc-js, Go (etcd, etcdctl), OpenSSL-based tools
// and browsers (for the admin API). Its keys are generated in a millisecond and its
// certificates and handshakes are a fraction of RSA-2048's size, at a higher security
// level. Ed25519 would be as fast, but browsers and many TLS stacks refuse it in
// certificates.
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

// Node's WebCrypto (the same object as globalThis.crypto), typed without the DOM library.
export type CryptoKey = webcrypto.CryptoKey;
const subtle = (): webcrypto.SubtleCrypto => webcrypto.subtle;

export const generateKeyPair = (): Promise<webcrypto.CryptoKeyPair> =>
  subtle().generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);

/** The private key as PKCS#8 PEM, the form node:tls, grpc-js and etcd all read. */
export async function privateKeyPem(key: CryptoKey): Promise<string> {
  return PemConverter.encode(await subtle().exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Throws on a key that is not a PKCS#8 P-256 key; callers wrap it with where it came from. */
export async function importSigningKey(pem: string): Promise<CryptoKey> {
  return subtle().importKey('pkcs8', PemConverter.decodeFirst(pem), KEY_ALGORITHM, false, ['sign']);
}
