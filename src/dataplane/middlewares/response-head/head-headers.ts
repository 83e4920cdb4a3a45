import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import type { ProxyResponse } from '../../handler.js';

/** The headers of a response head about to be written, as response hooks change them. */
export interface HeadHeaders {
  get(name: string): OutgoingHttpHeader | undefined;
  set(name: string, value: OutgoingHttpHeader): void;
  remove(name: string): void;
  /** Lower-case names, in the order they were set. */
  names(): string[];
}

/**
 * The head's own header object, when nothing was set on the response before it: hooks
 * change it in place and it goes to writeHead as it is, so that Node keeps its fast path.
 * It is a lower-cased copy of what the writer passed.
 */
export class ObjectHead implements HeadHeaders {
  constructor(readonly headers: OutgoingHttpHeaders) {}

  get(name: string): OutgoingHttpHeader | undefined {
    return this.headers[name];
  }

  set(name: string, value: OutgoingHttpHeader): void {
    this.headers[name] = value;
  }

  remove(name: string): void {
    delete this.headers[name];
  }

  names(): string[] {
    return Object.keys(this.headers);
  }
}

/** The response itself, once headers were set on it one by one before the head. */
export class ResponseHead implements HeadHeaders {
  constructor(private readonly res: ProxyResponse) {}

  get(name: string): OutgoingHttpHeader | undefined {
    return this.res.getHeader(name) as OutgoingHttpHeader | undefined;
  }

  set(name: string, value: OutgoingHttpHeader): void {
    this.res.setHeader(name, value as string | number | readonly string[]);
  }

  remove(name: string): void {
    this.res.removeHeader(name);
  }

  names(): string[] {
    return this.res.getHeaderNames();
  }
}

/**
 * The head's headers (an object or Node's flat [name, value, ...] list) as a new object
 * with lower-case names, a repeated name's values gathered, undefined values dropped. A
 * copy, as the caller's object may be shared between responses (canned answers).
 */
export function lowerCaseHeaders(headers: OutgoingHttpHeaders | OutgoingHttpHeader[]): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  if (!Array.isArray(headers)) {
    for (const name in headers) {
      const value = headers[name];
      if (value !== undefined) out[name.toLowerCase()] = value;
    }
    return out;
  }
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = String(headers[i]).toLowerCase();
    const value = headers[i + 1]!;
    const current = out[name];
    if (current === undefined) out[name] = value;
    else out[name] = [...asList(current), ...asList(value)];
  }
  return out;
}

const asList = (value: OutgoingHttpHeader): string[] =>
  Array.isArray(value) ? value.map(String) : [String(value)];
