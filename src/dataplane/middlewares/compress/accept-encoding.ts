export type Encoding = 'gzip' | 'br' | 'zstd';

/**
 * Traefik's encoding choice. No Accept-Encoding header at all: the default encoding if one
 * is configured, else none. An empty header: none. Otherwise the offered encodings it
 * supports (names compared as written, q=0 or an unreadable q meaning "not acceptable"),
 * highest q first, ties broken by the configured order; `*` stands for the default
 * encoding, or the first configured one. Returns null for "do not compress".
 */
export function chooseEncoding(
  header: string | string[] | undefined,
  encodings: readonly Encoding[],
  defaultEncoding: Encoding | undefined,
): Encoding | null {
  if (header === undefined) return defaultEncoding ?? null;
  const lines = typeof header === 'string' ? [header] : header;
  if (lines.length === 1 && lines[0] === '') return null;
  const priority = (name: string): number | undefined => {
    if (name === '*') return -1;
    if (name === 'identity') return encodings.length;
    const index = encodings.indexOf(name as Encoding);
    return index < 0 ? undefined : index;
  };
  let best: { name: string; weight: number; rank: number } | undefined;
  for (const line of lines) {
    for (const item of line.replaceAll(' ', '').split(',')) {
      const semicolon = item.indexOf(';');
      const name = semicolon < 0 ? item : item.slice(0, semicolon);
      const rank = priority(name);
      if (rank === undefined) continue;
      let weight = 1;
      const parameter = semicolon < 0 ? '' : item.slice(semicolon + 1);
      if (parameter.startsWith('q=')) {
        weight = goParseFloat(parameter.slice(2));
        if (weight === 0) continue;
      }
      if (best === undefined || weight > best.weight || (weight === best.weight && rank < best.rank)) {
        best = { name, weight, rank };
      }
    }
  }
  if (best === undefined || best.name === 'identity') return null;
  if (best.name === '*') return defaultEncoding ?? encodings[0] ?? null;
  return best.name as Encoding;
}

// strconv.ParseFloat for a q-value; what it cannot read counts as 0, as Traefik ignores the error.
function goParseFloat(text: string): number {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return 0;
  return Number(text);
}

// Clients send a handful of distinct Accept-Encoding values; past this many, choices are
// not kept, so that clients inventing values cannot grow the map.
const CHOICES_KEPT = 256;

/** chooseEncoding for one middleware's offer, its choices kept by the header's text. */
export class EncodingNegotiator {
  readonly #choices = new Map<string, Encoding | null>();

  constructor(
    readonly encodings: readonly Encoding[],
    readonly defaultEncoding: Encoding | undefined,
  ) {}

  choose(header: string | string[] | undefined): Encoding | null {
    if (typeof header !== 'string') return chooseEncoding(header, this.encodings, this.defaultEncoding);
    const known = this.#choices.get(header);
    if (known !== undefined) return known;
    const choice = chooseEncoding(header, this.encodings, this.defaultEncoding);
    if (this.#choices.size < CHOICES_KEPT) this.#choices.set(header, choice);
    return choice;
  }
}
