// The images' HEALTHCHECK: GET a URL on the node itself and exit 0 when it answers 200
// (a data node's /ping on its traefik entrypoint, a control node's /ping on its join
// port). The join port's TLS certificate comes from the cluster's own CA, which the image
// does not hold: it is not checked here. Node's fetch cannot skip that check, hence
// node:http(s).
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const [url = 'http://127.0.0.1:8080/ping'] = process.argv.slice(2);
const get = url.startsWith('https:') ? httpsGet : httpGet;

const request = get(url, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
  res.resume();
  const healthy = res.statusCode === 200;
  if (!healthy) console.error(`${url}: HTTP ${res.statusCode}`);
  process.exit(healthy ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('no answer within 2 s')));
request.on('error', (error) => {
  console.error(`${url}: ${error.message}`);
  process.exit(1);
});
