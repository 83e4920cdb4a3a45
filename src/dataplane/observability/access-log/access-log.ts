import type { Logger } from '../../../log/index.js';
import type { ProxyRequest, ProxyResponse, RequestContext } from '../../handler.js';
import type { ExchangeMeter, ExchangeWatcher, RequestTracker } from '../index.js';
import type { AccessLogConfig } from './access-log-config.js';
import { fileDestination, stdoutDestination } from './destination.js';
import type { Destination } from './destination.js';
import { Exchange } from './exchange.js';
import type { AccessRecord, ExchangeSink } from './exchange.js';
import { FieldModes } from './field-modes.js';
import { AccessLogFilter } from './filters.js';
import { commonLine, genericClfLine } from './formats.js';
import { jsonLines } from './json-line.js';
import { textLines, type LineEncoder } from './line-encoder.js';
import { LineWriter } from './line-writer.js';
import { KeptFields, logFields } from './log-fields.js';

// The queue's bound when bufferingSize leaves it to Switchyard (Traefik then writes each
// line as its request ends, holding the request until it is written).
const DEFAULT_CAPACITY = 1024;
// How long close() waits for a destination that takes nothing more.
const CLOSE_WAIT_MS = 5_000;

const INTERNAL = '@internal';

/** How each format writes a request's line, with the fields `kept`. */
const FORMATS: Readonly<Record<AccessLogConfig['format'], (kept: KeptFields) => LineEncoder<AccessRecord>>> =
  {
    common: (kept) => textLines((record) => commonLine(logFields(record, kept))),
    genericCLF: (kept) => textLines((record) => genericClfLine(logFields(record, kept))),
    json: jsonLines,
  };

export interface AccessLogOptions {
  /** Where write failures are reported. */
  readonly logger?: Logger;
  /** Where the lines go: by default the configured file, or stdout. */
  readonly destination?: Destination;
}

/**
 * Traefik's access log. The entrypoints hand it each request (follow); it keeps what it
 * must read early and writes a line once the shared meter says the response is over, in
 * the `common` (CLF), `genericCLF` or `json` format, filtered and with the fields and
 * headers `accessLog` keeps. Lines are written asynchronously through a bounded queue.
 */
export class AccessLog implements RequestTracker, ExchangeSink {
  readonly #config: AccessLogConfig;
  readonly #destination: Destination;
  readonly #writer: LineWriter<AccessRecord>;
  readonly #modes: FieldModes;
  readonly #filter: AccessLogFilter;
  #requestCount = 0;
  #closed = false;

  private constructor(
    config: AccessLogConfig,
    destination: Destination,
    writer: LineWriter<AccessRecord>,
    modes: FieldModes,
  ) {
    this.#config = config;
    this.#destination = destination;
    this.#writer = writer;
    this.#modes = modes;
    this.#filter = new AccessLogFilter(config.filters);
  }

  /** Opens the destination; rejects when it cannot be opened, as Traefik refuses to start. */
  static async open(config: AccessLogConfig, options: AccessLogOptions = {}): Promise<AccessLog> {
    const destination =
      options.destination ??
      (config.filePath === '' ? stdoutDestination() : fileDestination(config.filePath));
    const stream = await destination.open();
    const modes = new FieldModes(config.fields);
    const writer = new LineWriter<AccessRecord>(stream, {
      encoder: FORMATS[config.format](new KeptFields(modes)),
      capacity: config.bufferingSize > 0 ? config.bufferingSize : DEFAULT_CAPACITY,
      onError: (err) => options.logger?.error({ err }, 'cannot write the access log; lines are dropped'),
    });
    return new AccessLog(config, destination, writer, modes);
  }

  /** Follows a request; its line is written once its response is over. */
  follow(req: ProxyRequest, _res: ProxyResponse, ctx: RequestContext): ExchangeWatcher {
    return new Exchange(this, req, ctx, ++this.#requestCount);
  }

  exchangeOver(exchange: Exchange, meter: ExchangeMeter): void {
    if (this.#closed) return;
    const ctx = meter.ctx;
    // Traefik leaves its internal services (noop@internal behind an entrypoint
    // redirection, api@internal...) out unless addInternals.
    if (
      !this.#config.addInternals &&
      (ctx.routerName.endsWith(INTERNAL) || ctx.serviceName.endsWith(INTERNAL))
    ) {
      return;
    }
    if (!this.#filter.keeps(meter.status, ctx.retryAttempts, meter.endedAt - ctx.startedAt)) return;
    this.#writer.push(exchange.record(meter, this.#modes));
  }

  /** Lines dropped so far because the destination could not keep up (or failed). */
  get dropped(): number {
    return this.#writer.dropped;
  }

  /**
   * Reopens the file (on SIGUSR1, after logrotate moved it away): lines still waiting go
   * to the new one. Nothing to do on stdout. Rejects, keeping the old file, when the file
   * cannot be opened.
   */
  async reopen(): Promise<void> {
    if (!this.#destination.reopens || this.#closed) return;
    this.#writer.replace(await this.#destination.open());
  }

  /** Writes what is waiting and closes the file; requests still running are not logged. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close(CLOSE_WAIT_MS);
  }
}
