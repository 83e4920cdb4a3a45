import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import type { ProxyResponse } from '../../handler.js';
import { lowerCaseHeaders, ObjectHead, ResponseHead, type HeadHeaders } from './head-headers.js';

/**
 * Changes a response's headers right before its head goes out. `arg` is what the
 * middleware registered with it for this request, so that the hook itself is built once,
 * with the middleware.
 */
export type HeadHook<T> = (head: HeadHeaders, status: number, arg: T) => void;

/** Picks a Content-Type from the first body bytes of a response that has none. */
export type ContentSniffer = (firstBytes: Buffer) => string;

type HeadersArg = OutgoingHttpHeaders | OutgoingHttpHeader[];
type WriteHead = (status: number, reason?: string | HeadersArg, headers?: HeadersArg) => unknown;
type Write = (chunk: unknown, encoding?: unknown, callback?: unknown) => unknown;

const kHead = Symbol('switchyard.responseHead');

interface HeadState {
  /** What the response's writeHead, write and end were before this module took them over. */
  readonly writeHead: WriteHead;
  write: Write | null;
  end: Write | null;
  readonly hooks: HeadHook<unknown>[];
  readonly args: unknown[];
  sniff: ContentSniffer | null;
  done: boolean;
  status: number;
  reason: string | undefined;
  /** The head's headers when they are written as one object (see ObjectHead). */
  headers: OutgoingHttpHeaders | undefined;
}

/** The part of a response this module works with; both response kinds have it. */
interface Tracked {
  [kHead]?: HeadState;
  writeHead: WriteHead;
  write: Write;
  end: Write;
  statusCode: number;
  readonly headersSent: boolean;
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  getHeaderNames(): string[];
}

function stateOf(res: ProxyResponse): HeadState {
  const tracked = res as unknown as Tracked;
  let state = tracked[kHead];
  if (state === undefined) {
    state = {
      writeHead: tracked.writeHead,
      write: null,
      end: null,
      hooks: [],
      args: [],
      sniff: null,
      done: false,
      status: 200,
      reason: undefined,
      headers: undefined,
    };
    tracked[kHead] = state;
    // One prebuilt function for every response: the per-request state hangs off the
    // response under a symbol, so registering allocates no closure.
    tracked.writeHead = writeHeadWithHooks;
  }
  return state;
}

/**
 * Runs `hook` when the response head is written, after the head's own headers are merged
 * in, so that it can override what the service answered (Go's response modifiers). Hooks
 * registered later, by middlewares nearer the service, run first: the outermost one has
 * the last word, as in Traefik.
 */
export function onResponseHead<T>(res: ProxyResponse, hook: HeadHook<T>, arg: T): void {
  const state = stateOf(res);
  state.hooks.push(hook as HeadHook<unknown>);
  state.args.push(arg);
}

/**
 * Asks for Go's Content-Type detection on this response: when, after every hook, it has
 * no Content-Type (nor a Content-Encoding) and may carry a body, the head waits for the
 * first body bytes and `sniffer` names their type. Without body bytes nothing is added.
 */
export function sniffContentType(res: ProxyResponse, sniffer: ContentSniffer): void {
  stateOf(res).sniff = sniffer;
}

/**
 * The names of the headers a response went out with (lower-case): what the hooks left,
 * whichever way the head was written.
 */
export function sentHeaderNames(res: ProxyResponse): string[] {
  const headers = (res as unknown as Tracked)[kHead]?.headers;
  return headers === undefined ? res.getHeaderNames() : Object.keys(headers);
}

function writeHeadWithHooks(
  this: Tracked,
  status: number,
  reasonOrHeaders?: string | HeadersArg,
  maybeHeaders?: HeadersArg,
): unknown {
  const state = this[kHead]!;
  if (state.done || this.headersSent) {
    // A second head while the first waits for body bytes (an error answer) replaces it.
    if (this.write === writeAfterSniffing) {
      this.write = state.write!;
      this.end = state.end!;
    }
    return state.writeHead.call(this, status, reasonOrHeaders, maybeHeaders);
  }
  state.done = true;
  const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
  const given = typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders;
  const res = this as unknown as ProxyResponse;
  // With nothing set on the response before, the hooks work on the head's own object,
  // which Node then writes on its fast path; otherwise they work on the response.
  let head: HeadHeaders;
  if (this.getHeaderNames().length === 0) {
    state.headers = given === undefined ? {} : lowerCaseHeaders(given);
    head = new ObjectHead(state.headers);
  } else {
    if (given !== undefined) mergeHeaders(res, given);
    head = new ResponseHead(res);
  }
  // 1xx answers go out as they are, as Go's response modifiers let them through.
  if (status >= 200) {
    for (let i = state.hooks.length - 1; i >= 0; i--) state.hooks[i]!(head, status, state.args[i]);
    if (state.sniff !== null && waitsForBody(head, status)) {
      state.status = status;
      state.reason = reason;
      state.write = this.write;
      state.end = this.end;
      this.statusCode = status;
      this.write = writeAfterSniffing;
      this.end = endAfterSniffing;
      return this;
    }
  }
  return writeHeadNow(this, state, status, reason);
}

function writeHeadNow(res: Tracked, state: HeadState, status: number, reason: string | undefined): unknown {
  const headers = state.headers;
  if (headers === undefined) {
    return reason === undefined
      ? state.writeHead.call(res, status)
      : state.writeHead.call(res, status, reason);
  }
  return reason === undefined
    ? state.writeHead.call(res, status, headers)
    : state.writeHead.call(res, status, reason, headers);
}

/**
 * Moves the head's headers onto the response the way Node's writeHead does once headers
 * were set one by one: the head's values replace earlier ones of the same name.
 */
function mergeHeaders(res: ProxyResponse, headers: HeadersArg): void {
  const lower = lowerCaseHeaders(headers);
  for (const name in lower) res.setHeader(name, lower[name]!);
}

// Go sniffs only where a body may follow, and not when the body is encoded or framed by a
// Transfer-Encoding the handler chose.
function waitsForBody(head: HeadHeaders, status: number): boolean {
  if (status === 204 || status === 304) return false;
  if (head.get('content-type') !== undefined || head.get('transfer-encoding') !== undefined) return false;
  const encoding = head.get('content-encoding');
  return encoding === undefined || encoding === '';
}

function writeAfterSniffing(this: Tracked, chunk: unknown, encoding?: unknown, callback?: unknown): unknown {
  release(this, chunk, encoding);
  return this.write(chunk, encoding, callback);
}

function endAfterSniffing(this: Tracked, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  release(this, typeof chunk === 'function' ? undefined : chunk, encoding);
  return this.end(chunk, encoding, callback);
}

function release(res: Tracked, chunk: unknown, encoding: unknown): void {
  const state = res[kHead]!;
  res.write = state.write!;
  res.end = state.end!;
  const bytes = asBytes(chunk, encoding);
  if (bytes !== undefined && bytes.length > 0) {
    const type = state.sniff!(bytes);
    if (state.headers !== undefined) state.headers['content-type'] = type;
    else res.setHeader('content-type', type);
  }
  writeHeadNow(res, state, state.status, state.reason);
}

function asBytes(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  }
  return undefined;
}
