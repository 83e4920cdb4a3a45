// ipAllowList (ipWhiteList): accept only client addresses in the configured ranges.
export { buildIpAllowList } from './build-ip-allow-list.js';
