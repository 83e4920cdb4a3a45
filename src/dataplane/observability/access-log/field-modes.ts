import type { AccessLogConfig } from './access-log-config.js';

export type FieldMode = 'keep' | 'drop' | 'redact';

/** What a redacted header shows instead of its value, as in Traefik. */
export const REDACTED = 'REDACTED';

/**
 * Which fields and headers a line shows, worked out once from `accessLog.fields`. As in
 * Traefik, a field is kept or dropped (`redact` means its default) and a header is kept,
 * dropped or redacted; names are matched whatever their case.
 */
export class FieldModes {
  readonly #fieldDefault: boolean;
  readonly #fields: ReadonlyMap<string, boolean>;
  readonly #headerDefault: FieldMode;
  readonly #headers: ReadonlyMap<string, FieldMode>;
  /** False when every header is dropped: nothing about headers needs collecting then. */
  readonly logsHeaders: boolean;

  constructor(config: AccessLogConfig['fields']) {
    this.#fieldDefault = config.defaultMode !== 'drop';
    this.#fields = new Map(
      Object.entries(config.names).map(([name, mode]) => [
        name.toLowerCase(),
        fieldKept(mode, this.#fieldDefault),
      ]),
    );
    this.#headerDefault = config.headers.defaultMode;
    this.#headers = new Map(
      Object.entries(config.headers.names).map(([name, mode]) => [name.toLowerCase(), mode]),
    );
    this.logsHeaders =
      this.#headerDefault !== 'drop' || [...this.#headers.values()].some((mode) => mode !== 'drop');
  }

  keepsField(name: string): boolean {
    return this.#fields.get(name.toLowerCase()) ?? this.#fieldDefault;
  }

  /** The mode of a header, by its lower-case name (as Node gives header names). */
  headerMode(lowerCaseName: string): FieldMode {
    return this.#headers.get(lowerCaseName) ?? this.#headerDefault;
  }
}

const fieldKept = (mode: FieldMode, byDefault: boolean): boolean =>
  mode === 'keep' ? true : mode === 'drop' ? false : byDefault;
