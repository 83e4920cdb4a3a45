// Header names as Go spells them, for options Traefik matches against Go's spelling.
export { canonicalHeaderKey } from './canonical-header-key.js';
