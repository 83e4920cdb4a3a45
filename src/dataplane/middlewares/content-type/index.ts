// Traefik's contentType middleware: Go's Content-Type detection for responses without one.
export { buildContentType } from './content-type.js';
export { detectContentType } from './detect-content-type.js';
