import type { ClusterView, NodeView } from './node-view.js';

// `list-nodes` as text, after Traefik Enterprise's: a header, a row of dashes under each
// column name, columns padded to their widest cell. The default shows what an operator
// checks at a glance; --details adds what a diagnosis needs.

const roleText = (n: NodeView): string => {
  const marks = [n.raftLeader && 'Raft leader', n.controller && 'Controller'].filter(Boolean);
  const role = n.role === 'control' ? 'CONTROL NODE' : 'DATA NODE';
  return marks.length === 0 ? role : `${role} (${marks.join(', ')})`;
};

const configText = (n: NodeView): string => {
  const applied = n.configVersion === null ? '-' : String(n.configVersion);
  return n.lastNack === null ? applied : `${applied} (rejected ${n.lastNack.revision})`;
};

const errorText = (n: NodeView): string => {
  const first = n.lastNack?.errors[0];
  if (n.lastNack === null || first === undefined) return '-';
  const more = n.lastNack.errors.length > 1 ? ` (+${n.lastNack.errors.length - 1} more)` : '';
  return `${first.code}: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
};

type Column = readonly [header: string, cell: (n: NodeView) => string];

const SUMMARY: readonly Column[] = [
  ['Name', (n) => n.id],
  ['Role', roleText],
  ['Status', (n) => n.status],
  ['Config', configText],
];

const DETAILS: readonly Column[] = [
  ['Name', (n) => n.id],
  ['etcd ID', (n) => n.etcdMemberId ?? '-'],
  ['Membership', (n) => n.membership],
  ['Status', (n) => n.status],
  ['Availability', (n) => n.availability],
  ['Role', roleText],
  ['Config', configText],
  ['Version', (n) => n.version ?? '-'],
  ['Address', (n) => n.address ?? '-'],
];

// Shown only when some data node is attached, so a control plane alone reads as before.
const ATTACHED: Column = ['Attached to', (n) => n.attachedTo ?? '-'];
const LAST_ERROR: Column = ['Last error', errorText];

export function formatNodesTable(view: ClusterView, details: boolean): string {
  const attached = view.nodes.some((n) => n.attachedTo !== null);
  const distribution = attached ? (details ? [ATTACHED, LAST_ERROR] : [ATTACHED]) : [];
  const columns = [...(details ? DETAILS : SUMMARY), ...distribution];
  const rows = [
    columns.map(([h]) => h),
    columns.map(([h]) => '-'.repeat(h.length)),
    ...view.nodes.map((n) => columns.map(([, cell]) => cell(n))),
  ];
  const widths = columns.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** What an operator must be told besides the table: quorum loss and a partial view. */
export function viewWarnings(view: ClusterView): string[] {
  const out: string[] = [];
  if (view.quorum === 'NO QUORUM') {
    out.push(
      'NO QUORUM: etcd has no leader, so the configuration cannot change. Bring control nodes back; ' +
        'if most are lost for good, rebuild from one survivor (docs/cluster.md, "Recovering from quorum loss").',
    );
  }
  for (const n of view.nodes) {
    if (n.lastNack === null) continue;
    const serving = n.configVersion === null ? 'nothing yet' : `version ${n.configVersion}`;
    out.push(`${n.id} rejected version ${n.lastNack.revision} and serves ${serving}: ${errorText(n)}`);
  }
  for (const w of view.warnings) out.push(`partial view: ${w}`);
  return out;
}
