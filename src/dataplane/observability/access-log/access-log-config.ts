import type { StaticConfig } from '../../../config/static/index.js';

/** The static `accessLog` section, defaults applied. */
export type AccessLogConfig = NonNullable<StaticConfig['accessLog']>;
