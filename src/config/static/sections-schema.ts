import { z } from 'zod';
import { NonNegativeDuration } from './non-negative-duration.js';

const Name = z.string().min(1);

const FileProvider = z
  .strictObject({
    directory: Name.optional(),
    filename: Name.optional(),
    watch: z.boolean().default(true),
  })
  .refine((file) => (file.directory === undefined) !== (file.filename === undefined), {
    error: 'set exactly one of directory or filename',
  });

export const Providers = z.strictObject({
  file: FileProvider.optional(),
  /** Minimum time between two configuration reloads from one provider (Traefik: 2s). */
  providersThrottleDuration: NonNegativeDuration.default(2_000),
});

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC'] as const;
const LOG_FORMATS = ['common', 'json'] as const;

// Traefik reads the level and the format case-insensitively; downstream sees one spelling.
function caseInsensitiveEnum<T extends string>(values: readonly T[], what: string) {
  return z.string().transform((text, ctx) => {
    const value = values.find((candidate) => candidate.toLowerCase() === text.toLowerCase());
    if (value !== undefined) return value;
    ctx.addIssue({
      code: 'custom',
      input: text,
      message: `invalid ${what} ${JSON.stringify(text)} (want one of ${values.join(', ')})`,
    });
    return z.NEVER;
  });
}

export const Log = z.strictObject({
  level: caseInsensitiveEnum(LOG_LEVELS, 'level').default('ERROR'),
  format: caseInsensitiveEnum(LOG_FORMATS, 'format').default('common'),
  /** Stdout when absent. */
  filePath: Name.optional(),
});

export const Ping = z.strictObject({
  entryPoint: Name.default('traefik'),
  manualRouting: z.boolean().default(false),
  terminatingStatusCode: z.number().int().min(100).max(599).default(503),
});

export const Api = z.strictObject({
  dashboard: z.boolean().default(true),
  insecure: z.boolean().default(false),
  debug: z.boolean().default(false),
});
