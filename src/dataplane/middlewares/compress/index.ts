// compress: gzip, brotli and (where Node has it) zstd, negotiated as Traefik does.
export { chooseEncoding, EncodingNegotiator, type Encoding } from './accept-encoding.js';
export { buildCompress, DEFAULT_ENCODINGS } from './build-compress.js';
export { AVAILABLE_ENCODINGS, createEncoder } from './encoders.js';
export { mediaTypeMatches, parseMediaType, type MediaType } from './media-type.js';
