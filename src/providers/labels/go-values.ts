// Label values are strings; Traefik converts them with Go's strconv, so the same spellings
// are accepted here.

const GO_BOOLEANS: Readonly<Record<string, boolean>> = {
  '1': true,
  t: true,
  T: true,
  TRUE: true,
  true: true,
  True: true,
  '0': false,
  f: false,
  F: false,
  FALSE: false,
  false: false,
  False: false,
};

/** strconv.ParseBool: `true`, `True`, `TRUE`, `t`, `T`, `1` and their false counterparts. */
export const parseGoBool = (text: string): boolean | undefined => GO_BOOLEANS[text];

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number as strconv.ParseInt/ParseFloat read it; whether it must be whole is the schema's call. */
export const parseGoNumber = (text: string): number | undefined =>
  DECIMAL.test(text) ? Number(text) : undefined;
