import type { Handler } from '../handler.js';

/** What a router table entry leads to: the router's prebuilt chain, ending in its service. */
export interface Route {
  readonly name: string;
  readonly service: string;
  readonly handler: Handler;
}
