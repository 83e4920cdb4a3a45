// How middlewares pick the client address (ipStrategy) and group requests (sourceCriterion).
export { buildIpStrategy, type ClientIpOf } from './ip-strategy.js';
export { ipv6SubnetOf } from './ipv6-subnet.js';
export { buildSourceExtractor, type SourceOf } from './source-extractor.js';
