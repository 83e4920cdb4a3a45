import type { AccessRecord, HeaderField } from './exchange.js';
import { Rfc3339Writer } from './go-time.js';
import type { FieldSpec, HeaderGroup, KeptFields, LogValue } from './log-fields.js';

/** Writes one request's line, newline included. */
export type RecordFormat = (record: AccessRecord) => string;

// One member of the line: a field, a group of header fields, or a constant.
type Member =
  | { readonly kind: 'field'; readonly key: string; readonly field: FieldSpec }
  | { readonly kind: 'headers'; readonly key: string; readonly group: HeaderGroup }
  | { readonly kind: 'constant'; readonly key: string; readonly text: string }
  | { readonly kind: 'time'; readonly key: string };

/**
 * Traefik's `json` format, as logrus writes it: one object per line, keys sorted, times in
 * RFC 3339 with nanoseconds, durations in nanoseconds, plus `level`, `msg` and `time` (the
 * line's own time, local, to the second). The order of the keys is settled here, once: a
 * header group sorts as its prefix does, as no other key starts with one, and only the
 * names inside a group are sorted per line.
 */
export function compileJsonLine(kept: KeptFields): RecordFormat {
  const members: Member[] = [
    ...kept.fields.map((field): Member => ({ kind: 'field', key: field.name, field })),
    ...kept.headerGroups.map((group): Member => ({ kind: 'headers', key: group.prefix, group })),
    { kind: 'constant', key: 'level', text: `"level":"info"` },
    { kind: 'constant', key: 'msg', text: `"msg":""` },
    { kind: 'time', key: 'time' },
  ];
  members.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return new JsonLine(members).format;
}

class JsonLine {
  readonly #members: readonly Member[];
  // Keys with their quotes and colon, by member.
  readonly #prefixes: readonly string[];
  readonly #utc = new Rfc3339Writer(true);
  readonly #local = new Rfc3339Writer(false);

  constructor(members: readonly Member[]) {
    this.#members = members;
    this.#prefixes = members.map((member) => `${quote(member.key)}:`);
  }

  readonly format = (record: AccessRecord): string => {
    let line = '';
    const members = this.#members;
    for (let i = 0; i < members.length; i++) {
      const member = members[i]!;
      switch (member.kind) {
        case 'field': {
          const value = member.field.read(record);
          if (value !== undefined) line += `,${this.#prefixes[i]!}${this.#value(value)}`;
          break;
        }
        case 'headers':
          line += headerMembers(member.group.prefix, member.group.read(record));
          break;
        case 'constant':
          line += `,${member.text}`;
          break;
        case 'time':
          line += `,${this.#prefixes[i]!}"${this.#local.seconds(record.end)}"`;
          break;
      }
    }
    return `{${line.slice(1)}}\n`;
  };

  #value(value: LogValue): string {
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
    if (typeof value === 'string') return quote(value);
    return `"${(value.utc ? this.#utc : this.#local).nano(value.epochMs)}"`;
  }
}

function headerMembers(prefix: string, headers: readonly HeaderField[]): string {
  if (headers.length === 0) return '';
  const sorted =
    headers.length === 1 ? headers : [...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let text = '';
  for (const [name, value] of sorted) text += `,${quote(prefix + name)}:${quote(value)}`;
  return text;
}

// What JSON.stringify leaves as it is and Go's encoder too: no quote, backslash, control
// character, HTML character or JavaScript line separator, and no surrogate.
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const PLAIN = /^[^"\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]*$/;
// Go's encoder escapes <, > and & (for HTML) and the JavaScript line separators, which
// JSON.stringify leaves as they are.
const GO_ESCAPED = /[<>&\u2028\u2029]/g;

/** A JSON string as Go's encoder writes it. */
function quote(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(
    GO_ESCAPED,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
