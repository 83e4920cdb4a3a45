import type { OutgoingHttpHeader, OutgoingHttpHeaders } from 'node:http';
import type { ProxyResponse } from '../../handler.js';
import { lowerCaseHeaders, ObjectHead, ResponseHead, type HeadHeaders } from './head-headers.js';

/**
 * Changes a response's headers right before its head goes out. `arg` is what the
 * middleware registered with it for this request, so that the hook itself is built once,
 * with the middleware. A hook may return a filter to take the body over (see BodyFilter),
 * so that responses the filter has no use for never pay for it; the last one returned wins.
 */
export type HeadHook<T> = (head: HeadHeaders, status: number, arg: T) => BodyFilter | undefined | void;

/** Picks a Content-Type from the first body bytes of a response that has none. */
export type ContentSniffer = (firstBytes: Buffer) => string;

/**
 * Takes a response's body over from its head on, in place of the writer's own writes:
 * compress. With `holdsHead`, the head waits until the filter commits it (and may still
 * change it), so that the filter can look at the first body bytes before deciding.
 */
export interface BodyFilter {
  readonly holdsHead: boolean;
  /** A body chunk; false asks the writer to wait for the response's 'drain'. */
  write(chunk: Buffer, out: FilteredBody): boolean;
  /** The writer ended the body. */
  end(out: FilteredBody): void;
}

/** The response under a body filter, as the filter writes to it. */
export interface FilteredBody {
  readonly response: ProxyResponse;
  /** The head's headers: changeable until the head is committed. */
  readonly head: HeadHeaders;
  /** Writes the head, if it was held; what is passed from then on is the body. */
  commitHead(): void;
  /** Writes body bytes to the response as the writer would have. */
  pass(chunk: Buffer): boolean;
  /** Ends the response as the writer would have. */
  finish(): void;
}

type HeadersArg = OutgoingHttpHeaders | OutgoingHttpHeader[];
type WriteHead = (status: number, reason?: string | HeadersArg, headers?: HeadersArg) => unknown;
type Write = (chunk?: unknown, encoding?: unknown, callback?: unknown) => unknown;

const kHead = Symbol('switchyard.responseHead');

interface HeadState {
  /** What the response's writeHead, write and end were before this module took them over. */
  readonly writeHead: WriteHead;
  write: Write | null;
  end: Write | null;
  readonly hooks: HeadHook<unknown>[];
  readonly args: unknown[];
  sniff: ContentSniffer | null;
  filter: BodyFilter | null;
  /** What the filter writes through, once the head is final. */
  outlet: Outlet | null;
  done: boolean;
  /** The head waits for the first body bytes (sniffing) or for the filter. */
  held: boolean;
  status: number;
  reason: string | undefined;
  /** The head's headers when they are written as one object (see ObjectHead). */
  headers: OutgoingHttpHeaders | undefined;
  /** The head as the hooks saw it, while it is held. */
  head: HeadHeaders | null;
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
      filter: null,
      outlet: null,
      done: false,
      held: false,
      status: 200,
      reason: undefined,
      headers: undefined,
      head: null,
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
    // A second head while the first is held (an error answer) replaces it, held bytes
    // and filter with it.
    if (state.held) {
      state.held = false;
      state.filter = null;
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
  if (status < 200) return writeHeadNow(this, state, status, reason);
  for (let i = state.hooks.length - 1; i >= 0; i--) {
    const filter = state.hooks[i]!(head, status, state.args[i]);
    if (filter !== undefined) state.filter = filter;
  }
  if (state.sniff !== null && !waitsForBody(head, status)) state.sniff = null;
  const filter = state.filter;
  state.write = this.write;
  state.end = this.end;
  if (state.sniff !== null || filter?.holdsHead === true) {
    state.held = true;
    state.status = status;
    state.reason = reason;
    state.head = head;
    this.statusCode = status;
    this.write = writeHeld;
    this.end = endHeld;
    if (filter !== null) state.outlet = new Outlet(this, state);
    return this;
  }
  const written = writeHeadNow(this, state, status, reason);
  if (filter !== null) {
    state.head = head;
    state.outlet = new Outlet(this, state);
    this.write = writeFiltered;
    this.end = endFiltered;
  }
  return written;
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

/** The filter's way out, bound to one response. */
class Outlet implements FilteredBody {
  constructor(
    readonly tracked: Tracked,
    readonly state: HeadState,
  ) {}

  get response(): ProxyResponse {
    return this.tracked as unknown as ProxyResponse;
  }

  get head(): HeadHeaders {
    return this.state.head!;
  }

  commitHead(): void {
    const { tracked, state } = this;
    if (!state.held) return;
    state.held = false;
    // Unless the writer ended the body already, its writes now go to the filter as they come.
    if (tracked.write === writeHeld) {
      tracked.write = writeFiltered;
      tracked.end = endFiltered;
    }
    writeHeadNow(tracked, state, state.status, state.reason);
  }

  pass(chunk: Buffer): boolean {
    return this.state.write!.call(this.tracked, chunk) as boolean;
  }

  finish(): void {
    this.state.end!.call(this.tracked);
  }
}

// Writes while the head is held: the first bytes name a missing Content-Type (sniffing),
// then go to the filter; without one the head goes out and the write with it.
function writeHeld(this: Tracked, chunk: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = this[kHead]!;
  const bytes = asBytes(chunk, encoding);
  if (state.sniff !== null && bytes !== undefined && bytes.length > 0) sniff(state, bytes);
  if (state.filter === null) {
    release(this, state);
    return this.write(chunk, encoding, callback);
  }
  return filtered(state, bytes, typeof encoding === 'function' ? encoding : callback);
}

function endHeld(this: Tracked, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = this[kHead]!;
  const bytes = typeof chunk === 'function' ? undefined : asBytes(chunk, encoding);
  if (state.sniff !== null && bytes !== undefined && bytes.length > 0) sniff(state, bytes);
  if (state.filter === null) {
    release(this, state);
    return this.end(chunk, encoding, callback);
  }
  return endFilteredWith(this, state, bytes, lastFunction(chunk, encoding, callback));
}

function writeFiltered(this: Tracked, chunk: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = this[kHead]!;
  return filtered(state, asBytes(chunk, encoding), typeof encoding === 'function' ? encoding : callback);
}

function endFiltered(this: Tracked, chunk?: unknown, encoding?: unknown, callback?: unknown): unknown {
  const state = this[kHead]!;
  const bytes = typeof chunk === 'function' ? undefined : asBytes(chunk, encoding);
  return endFilteredWith(this, state, bytes, lastFunction(chunk, encoding, callback));
}

function filtered(state: HeadState, bytes: Buffer | undefined, callback: unknown): boolean {
  const more = bytes === undefined || bytes.length === 0 ? true : state.filter!.write(bytes, state.outlet!);
  if (typeof callback === 'function') process.nextTick(callback as () => void);
  return more;
}

function endFilteredWith(
  res: Tracked,
  state: HeadState,
  bytes: Buffer | undefined,
  callback: unknown,
): unknown {
  // The writer is done with the response: whatever it calls now goes to Node.
  res.write = state.write!;
  res.end = state.end!;
  const filter = state.filter!;
  const outlet = state.outlet!;
  if (bytes !== undefined && bytes.length > 0) filter.write(bytes, outlet);
  filter.end(outlet);
  if (typeof callback === 'function') process.nextTick(callback as () => void);
  return res;
}

const lastFunction = (...args: unknown[]): unknown => args.findLast((arg) => typeof arg === 'function');

function sniff(state: HeadState, bytes: Buffer): void {
  const type = state.sniff!(bytes);
  state.sniff = null;
  state.head!.set('content-type', type);
}

/** The head goes out as it is now, and the writes after it go straight to the response. */
function release(res: Tracked, state: HeadState): void {
  state.held = false;
  res.write = state.write!;
  res.end = state.end!;
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
