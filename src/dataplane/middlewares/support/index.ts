// What several middlewares share: Go's status texts and plain-text answers, a response
// stand-in that sees what handlers write, completion observers, and replayable requests.
export { answerStatus, answerText } from './answer.js';
export { goStatusText } from './go-status-text.js';
export { InterceptedResponse } from './intercepted-response.js';
export { ReplayRequest } from './replay-request.js';
export { hasRequestBody, readBody, type BodyOutcome } from './request-body.js';
export { RequestSnapshot } from './request-snapshot.js';
export { whenResponseDone, type ResponseObserver } from './response-done.js';
export { systemClock, type Clock } from './clock.js';
export { formatGoDuration } from '../../../config/index.js';
export { compileStatusRanges, type StatusTest } from './status-ranges.js';
export { firstBadEscape, goQueryEscape, goUrlError } from './go-url.js';
