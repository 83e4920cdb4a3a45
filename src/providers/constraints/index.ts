// Provider constraints (`providers.docker.constraints`): which containers to consider, by label.

export { parseConstraints, type LabelPredicate } from './parser.js';
