// The images' HEALTHCHECK: GET a URL on the node itself and exit 0 when it answers 200 (a
// data node's /ping), or, with --any-answer, when it answers at all (a control node's join
// port, whose TLS certificate comes from the cluster's own CA: not checked here).
// Node's fetch cannot skip certificate checks, hence node:http(s).
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

const [url = 'http://127.0.0.1:8080/ping', mode] = process.argv.slice(2);
const anyAnswer = mode === '--any-answer';
const get = url.startsWith('https:') ? httpsGet : httpGet;

const request = get(url, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
  res.resume();
  const healthy = anyAnswer || res.statusCode === 200;
  if (!healthy) console.error(`${url}: HTTP ${res.statusCode}`);
  process.exit(healthy ? 0 : 1);
});
request.on('timeout', () => request.destroy(new Error('no answer within 2 s')));
request.on('error', (error) => {
  console.error(`${url}: ${error.message}`);
  process.exit(1);
});
