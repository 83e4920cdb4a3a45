import { normalize } from './normalize.js';

// The functions a default rule may call: Traefik's `normalize`, Go's `index`, and the sprig
// functions seen in real default rules, with sprig's argument order (the piped value comes
// last: `{{ .Name | replace "_" "-" }}` is replace("_", "-", .Name)).

/** What template expressions produce: text, a list (splitList), a map (.Labels), or nothing. */
export type TemplateValue = string | readonly string[] | Readonly<Record<string, string>> | undefined;

/** A type mistake found while running a template; reported with the router it was for. */
export class TemplateRunError extends Error {
  override readonly name = 'TemplateRunError';
}

interface TemplateFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  call(args: readonly TemplateValue[]): TemplateValue;
}

const describe = (value: TemplateValue): string =>
  value === undefined
    ? 'no value'
    : typeof value === 'string'
      ? 'text'
      : Array.isArray(value)
        ? 'a list'
        : 'a map';

function text(fn: string, value: TemplateValue): string {
  if (typeof value !== 'string') throw new TemplateRunError(`${fn} needs text, got ${describe(value)}`);
  return value;
}

function list(fn: string, value: TemplateValue): readonly string[] {
  if (!Array.isArray(value)) throw new TemplateRunError(`${fn} needs a list, got ${describe(value)}`);
  return value as readonly string[];
}

const isEmpty = (value: TemplateValue): boolean =>
  value === undefined ||
  value === '' ||
  (Array.isArray(value) ? value.length === 0 : typeof value === 'object' && Object.keys(value).length === 0);

const unary = (fn: string, apply: (s: string) => string): TemplateFunction => ({
  minArgs: 1,
  maxArgs: 1,
  call: ([value]) => apply(text(fn, value)),
});

const binary = (fn: string, apply: (a: string, b: string) => TemplateValue): TemplateFunction => ({
  minArgs: 2,
  maxArgs: 2,
  call: ([a, b]) => apply(text(fn, a), text(fn, b)),
});

export const TEMPLATE_FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  ['normalize', unary('normalize', normalize)],
  ['lower', unary('lower', (s) => s.toLowerCase())],
  ['upper', unary('upper', (s) => s.toUpperCase())],
  // Go's strings.TrimSpace.
  ['trim', unary('trim', (s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/g, ''))],
  [
    'replace',
    {
      minArgs: 3,
      maxArgs: 3,
      call: ([from, to, source]) =>
        text('replace', source).replaceAll(text('replace', from), text('replace', to)),
    },
  ],
  ['trimPrefix', binary('trimPrefix', (prefix, s) => (s.startsWith(prefix) ? s.slice(prefix.length) : s))],
  [
    'trimSuffix',
    binary('trimSuffix', (suffix, s) => (suffix && s.endsWith(suffix) ? s.slice(0, -suffix.length) : s)),
  ],
  ['splitList', binary('splitList', (separator, s) => s.split(separator))],
  // sprig's default: the fallback first, then the value, used unless it is empty.
  ['default', { minArgs: 1, maxArgs: 2, call: ([fallback, given]) => (isEmpty(given) ? fallback : given) }],
  ['first', { minArgs: 1, maxArgs: 1, call: ([value]) => list('first', value)[0] }],
  ['last', { minArgs: 1, maxArgs: 1, call: ([value]) => list('last', value).at(-1) }],
  [
    'index',
    {
      minArgs: 2,
      maxArgs: 2,
      call: ([map, key]) => {
        if (typeof map !== 'object' || map === null || Array.isArray(map)) {
          throw new TemplateRunError(`index needs a map such as .Labels, got ${describe(map)}`);
        }
        // Go's index returns the zero value, "", for a missing key.
        return (map as Readonly<Record<string, string>>)[text('index', key)] ?? '';
      },
    },
  ],
]);

/** How Go's text/template prints a value. */
export function printValue(value: TemplateValue): string {
  if (value === undefined) return '<no value>';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.join(' ')}]`;
  const map = value as Readonly<Record<string, string>>;
  const entries = Object.keys(map)
    .sort()
    .map((k) => `${k}:${map[k]}`);
  return `map[${entries.join(' ')}]`;
}
