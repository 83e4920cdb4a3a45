import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tokenFromText } from '../../../src/cli/data-node-join.js';

// `start-data-node --tokenfile`: what Compose and Swarm hand over (a shared volume, a
// Docker secret) is a bare token or the lines `switchyard env` prints.

const TOKEN = 'SWYTKN-1-data-abc-def';

describe('tokenFromText', () => {
  const cases: { desc: string; text: string; want: string | undefined }[] = [
    { desc: 'a bare token', text: `${TOKEN}\n`, want: TOKEN },
    { desc: 'a bare token without a newline, padded', text: `  ${TOKEN}  `, want: TOKEN },
    { desc: 'a DATA_NODE_TOKEN line', text: `DATA_NODE_TOKEN=${TOKEN}\n`, want: TOKEN },
    {
      desc: "`switchyard env`'s output",
      text: `export CONTROL_NODE_TOKEN="SWYTKN-1-control-x-y"\nexport DATA_NODE_TOKEN="${TOKEN}"\n`,
      want: TOKEN,
    },
    { desc: 'single quotes and a comment', text: `# tokens\nDATA_NODE_TOKEN='${TOKEN}'\n`, want: TOKEN },
    { desc: 'an empty file (not written yet)', text: '', want: undefined },
    { desc: 'only the control token', text: 'CONTROL_NODE_TOKEN=SWYTKN-1-control-x-y\n', want: undefined },
    { desc: 'an empty DATA_NODE_TOKEN', text: 'DATA_NODE_TOKEN=\n', want: undefined },
    { desc: 'two bare lines: not a token file', text: `${TOKEN}\n${TOKEN}\n`, want: undefined },
  ];
  for (const c of cases) test(c.desc, () => assert.equal(tokenFromText(c.text), c.want));
});
