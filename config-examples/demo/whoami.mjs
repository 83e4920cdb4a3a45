// A tiny stand-in for traefik/whoami: answers every request with what it received,
// so that the standalone example routes somewhere real on a fresh machine.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.WHOAMI_PORT ?? 8090);
// Loopback for `npm start`; the whoami image listens on every interface (WHOAMI_HOST=0.0.0.0).
const host = process.env.WHOAMI_HOST ?? '127.0.0.1';
const name = process.env.WHOAMI_NAME ?? 'demo';

createServer((req, res) => {
  const lines = [`Name: ${name}`, `Hostname: ${hostname()}`, `RemoteAddr: ${req.socket.remoteAddress}`];
  lines.push(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end(`${lines.join('\n')}\n`);
}).listen(port, host, () => console.log(`whoami demo origin on http://${host}:${port}`));

// As a container's PID 1, Node would ignore SIGTERM without a handler, and `docker stop`
// would wait out its 10 s before killing it.
process.on('SIGTERM', () => process.exit(0));
