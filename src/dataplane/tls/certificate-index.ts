/**
 * The certificates of a store by the names they cover, for SNI: an exact name wins over a
 * wildcard, a wildcard (`*.example.com`) covers exactly one more label, and when two
 * certificates cover the same name the first one configured wins. Lookups are two map
 * reads at most.
 */
export class CertificateIndex<T> {
  readonly #exact = new Map<string, T>();
  readonly #wildcard = new Map<string, T>();

  /** Files a certificate under its names (lower-case SANs and common name). */
  add(names: readonly string[], value: T): void {
    for (const raw of names) {
      const name = raw.toLowerCase().replace(/\.+$/, '');
      if (name.startsWith('*.')) {
        const parent = name.slice(2);
        if (!this.#wildcard.has(parent)) this.#wildcard.set(parent, value);
      } else if (name !== '' && !this.#exact.has(name)) {
        this.#exact.set(name, value);
      }
    }
  }

  find(serverName: string): T | undefined {
    const name = serverName.toLowerCase();
    const exact = this.#exact.get(name);
    if (exact !== undefined) return exact;
    const dot = name.indexOf('.');
    return dot === -1 ? undefined : this.#wildcard.get(name.slice(dot + 1));
  }
}
