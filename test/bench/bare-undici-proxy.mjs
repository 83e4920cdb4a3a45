// The floor for a Node proxy: node:http in front of one undici Pool, nothing else (no
// routing, no header rewriting, no observability). test/bench/profile.sh measures it
// beside Switchyard so that the gap between the two is what Switchyard itself costs.
// Usage: node bare-undici-proxy.mjs LISTEN_PORT ORIGIN_URL
import { createServer } from 'node:http';
import { Pool } from 'undici';

const [port = '18206', origin = 'http://127.0.0.1:18200'] = process.argv.slice(2);
const pool = new Pool(origin, { connections: 128, pipelining: 1 });

createServer((req, res) => {
  pool.dispatch(
    { method: req.method, path: req.url, headers: req.headers, body: req.method === 'GET' ? null : req },
    {
      onConnect() {},
      onHeaders(status, rawHeaders, resume) {
        const headers = [];
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i].toString();
          if (name.toLowerCase() !== 'connection' && name.toLowerCase() !== 'keep-alive')
            headers.push(name, rawHeaders[i + 1].toString());
        }
        res.writeHead(status, headers);
        res.on('drain', resume);
        return true;
      },
      onData: (chunk) => res.write(chunk),
      onComplete: () => res.end(),
      onError(err) {
        if (res.headersSent) res.destroy(err);
        else res.writeHead(502).end();
      },
    },
  );
}).listen(Number(port), '127.0.0.1');
