// The Swarm provider's I/O shell; its translation (buildSwarmConfiguration) sits beside the
// Docker provider's, whose label grammar and defaults it shares.

export { SwarmProvider, type SwarmProviderOptions, type SwarmProviderTimings } from './swarm-provider.js';
export { nextRead, type ReadSchedule, type ReadTimings } from './read-schedule.js';
