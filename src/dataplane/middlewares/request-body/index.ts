// Middlewares that read or transform a request's body before it goes upstream.
export { readBody, TOO_LARGE } from './read-body.js';
export { replayBody, requestWithBody } from './request-with-body.js';
