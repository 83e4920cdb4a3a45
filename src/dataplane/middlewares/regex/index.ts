// The Go-regexp middlewares: redirectRegex, replacePathRegex and stripPrefixRegex.
export { buildRedirectRegex } from './build-redirect-regex.js';
export { buildReplacePathRegex } from './build-replace-path-regex.js';
export { buildStripPrefixRegex } from './build-strip-prefix-regex.js';
export { goExpand, goReplaceAll, globalCopy } from './go-replace.js';
