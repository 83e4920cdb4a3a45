// `npm start`: the demo origin and Switchyard standalone on config-examples/, together.
// Ctrl-C (SIGINT) or SIGTERM stops both; Switchyard drains with its grace timeout.
import { spawn } from 'node:child_process';

const origin = spawn(process.execPath, ['config-examples/demo/whoami.mjs'], { stdio: 'inherit' });
const proxy = spawn(
  process.execPath,
  ['dist/cli/main.js', 'standalone', '--config', 'config-examples/standalone.yml', ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
const stop = (signal) => {
  proxy.kill(signal);
  origin.kill(signal);
};
process.on('SIGINT', () => stop('SIGTERM'));
process.on('SIGTERM', () => stop('SIGTERM'));
proxy.on('exit', (code) => {
  origin.kill('SIGTERM');
  process.exitCode = code ?? 0;
});
