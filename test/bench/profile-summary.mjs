// Summarises a V8 .cpuprofile (node --cpu-prof): self time by module group and the
// top functions, as percentages of the busy (non-idle) samples.
// Usage: node profile-summary.mjs FILE.cpuprofile [TOP=25]
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: profile-summary.mjs FILE.cpuprofile [TOP]');
const profile = JSON.parse(readFileSync(file, 'utf8'));

const selfUs = new Map();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

/** Which part of the stack a frame belongs to, by its script URL. */
function group({ url, functionName }) {
  if (url === '') {
    if (['(idle)', '(program)', '(root)'].includes(functionName)) return functionName;
    if (functionName === '(garbage collector)') return 'GC';
    // The socket writes themselves: the syscall and the kernel's loopback TCP path.
    if (/^write(v|Buffer|Latin1String|Utf8String|AsciiString)$/.test(functionName))
      return 'native socket writes';
    return 'native: other builtins';
  }
  if (url.startsWith('wasm://')) return 'undici'; // llhttp, undici's response parser
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/'))
    return `npm ${url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')}`;
  const ours = /\/dist\/(.+?)\/[^/]+\.js$/.exec(url);
  if (ours) return `switchyard ${ours[1]}`;
  if (/^node:(_http_|http$)/.test(url)) return 'node:http (server, parser glue, outgoing)';
  if (/^node:(net|stream|internal\/streams|internal\/stream_base_commons)/.test(url))
    return 'node:net + streams';
  if (url.startsWith('node:')) return 'node: other internals';
  return url;
}

const byGroup = new Map();
const byFunction = new Map();
let busy = 0;
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  const g = group(node.callFrame);
  if (g === '(idle)') continue;
  busy += us;
  byGroup.set(g, (byGroup.get(g) ?? 0) + us);
  const name = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/.*\/(node_modules|dist)\//, '')}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}

const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(busy / 1e6).toFixed(2)} s busy (idle excluded)\n\nself time by group`);
for (const [g, us] of [...byGroup].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)}  ${g}`);
console.log(`\ntop ${top} functions by self time`);
for (const [f, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
  console.log(`${pct(us)}  ${f}`);
