import type { ProxyResponse } from '../../handler.js';

/** Told once a response is over, answered or abandoned. */
export interface ResponseObserver {
  responseDone(res: ProxyResponse): void;
}

// The observers of a response hang off it, found by one shared 'close' listener, so that
// watching a response allocates no closure per request.
const kObservers = Symbol('switchyard.responseObservers');
type Observed = ProxyResponse & { [kObservers]?: ResponseObserver[] | undefined };

/**
 * Calls `observer.responseDone(res)` when `res` closes, after it was sent or when the client
 * left; `res.statusCode` is then what the client got (499 if it left before an answer).
 */
export function whenResponseDone(res: ProxyResponse, observer: ResponseObserver): void {
  const observed = res as Observed;
  const list = observed[kObservers];
  if (list !== undefined) {
    list.push(observer);
    return;
  }
  observed[kObservers] = [observer];
  res.on('close', notifyObservers);
}

function notifyObservers(this: Observed): void {
  const list = this[kObservers];
  if (list === undefined) return;
  this[kObservers] = undefined;
  for (const observer of list) observer.responseDone(this);
}
