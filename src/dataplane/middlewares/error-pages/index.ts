// errors: replace chosen error responses with a page from another service.
export { buildErrorPages } from './build-error-pages.js';
export { ErrorPages, type ErrorPageSettings } from './error-pages.js';
