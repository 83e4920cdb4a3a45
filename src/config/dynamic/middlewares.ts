import { z } from 'zod';

// Placeholder until the full Traefik v3 middleware catalogue lands (being written now).
export const MIDDLEWARE_TYPES = ['stripPrefix'] as const;
export const Middleware = z
  .strictObject({ stripPrefix: z.strictObject({ prefixes: z.array(z.string()) }).optional() })
  .transform((raw) => ({ type: 'stripPrefix' as const, ...raw.stripPrefix! }));
export type Middleware = z.infer<typeof Middleware>;
export type MiddlewareType = Middleware['type'];
