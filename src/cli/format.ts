import type { Change, DoctorCheck, ProcessInfo, Progress, RiskSeverity, VmInfo, VmReport, VmSummary } from '../shared/types.js';

export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

export function formatList(vms: readonly VmSummary[]): string {
  if (vms.length === 0) return 'No VMs yet. Create one with: fvm create NAME';
  return table([
    ['NAME', 'STATE', 'SIZE', 'PROCS', 'CREATED'],
    ...vms.map((v) => [v.name, v.state, humanSize(v.sizeBytes), String(v.processCount), v.created]),
  ]);
}

export function formatInfo(v: VmInfo): string {
  const rules = v.config.rules.map((r) => `${r.mode}:${r.path}`).join(', ') || '(none)';
  return [
    `name:      ${v.name}`,
    `id:        ${v.id}`,
    `state:     ${v.state}${v.initPid ? ` (init pid ${v.initPid}, ${v.processCount} process(es))` : ''}`,
    `size:      ${humanSize(v.sizeBytes)}`,
    `created:   ${v.created}`,
    `network:   ${v.config.network}`,
    `preset:    ${v.config.preset}`,
    `rules:     ${rules}`,
    `hostname:  ${v.config.hostname ?? '(host name, private UTS namespace)'}`,
    `commits:   ${v.commits}`,
    `path:      ${v.path}`,
  ].join('\n');
}

const KIND_LETTER = { added: 'A', modified: 'M', deleted: 'D' } as const;

export function formatChanges(changes: readonly Change[]): string {
  return changes.map((c) => `${KIND_LETTER[c.kind]} ${c.path}${c.type === 'dir' ? '/' : ''}`).join('\n');
}

/** The process tree, children indented under their parents. */
export function formatPs(procs: readonly ProcessInfo[]): string {
  if (procs.length === 0) return 'No running VM.';
  const lines: string[] = [];
  const byVm = new Map<string, ProcessInfo[]>();
  for (const p of procs) byVm.set(p.vm, [...(byVm.get(p.vm) ?? []), p]);
  for (const [vm, list] of byVm) {
    lines.push(`${vm}:`);
    const pids = new Set(list.map((p) => p.pid));
    const kids = new Map<number, ProcessInfo[]>();
    for (const p of list) kids.set(p.ppid, [...(kids.get(p.ppid) ?? []), p]);
    const walk = (p: ProcessInfo, depth: number) => {
      lines.push(`  ${String(p.pid).padStart(7)} ${String(p.ppid).padStart(7)} ${p.state} ${'  '.repeat(depth)}${p.cmd}`);
      for (const c of kids.get(p.pid) ?? []) if (c.pid !== p.pid) walk(c, depth + 1);
    };
    lines.push(`  ${'PID'.padStart(7)} ${'PPID'.padStart(7)} S CMD`);
    for (const root of list.filter((p) => !pids.has(p.ppid))) walk(root, 0);
  }
  return lines.join('\n');
}

export function formatDoctor(checks: readonly DoctorCheck[]): string {
  return checks
    .map((c) => {
      const tag = c.ok ? 'ok  ' : c.optional ? 'note' : 'FAIL';
      return `${tag} ${c.id}: ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}`;
    })
    .join('\n');
}

/** A one-line progress bar for a terminal; callers only use it when stderr is a TTY. */
export function progressLine(p: Progress, width = 30): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const filled = Math.round(frac * width);
  return `\r${p.op.padEnd(7)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${p.done}/${p.total}`;
}

const SEVERITIES: readonly RiskSeverity[] = ['high', 'medium', 'low'];

/** `fvm report`: the risk flags grouped by severity, each with its paths, then the summary. */
export function formatReport(r: VmReport): string {
  const count = (s: RiskSeverity) => r.flags.filter((f) => f.severity === s).length;
  const lines = [`VM ${r.vm} (${r.state}): ${SEVERITIES.map((s) => `${count(s)} ${s}`).join(', ')} risk flag(s)`];
  if (r.flags.length === 0) lines.push('', 'Nothing risky found.');
  for (const severity of SEVERITIES) {
    const flags = r.flags.filter((f) => f.severity === severity);
    if (flags.length === 0) continue;
    lines.push('', severity.toUpperCase());
    for (const f of flags) {
      lines.push(`  ${f.title} [${f.id}]${f.count > 1 ? `, ${f.count} paths` : ''}`, `    ${f.explanation}`);
      for (const p of f.paths) {
        lines.push(`    ${KIND_LETTER[p.change]} ${p.path}`);
        for (const d of p.detail) lines.push(`        ${d}`);
      }
      if (f.count > f.paths.length) lines.push(`    … and ${f.count - f.paths.length} more`);
    }
  }
  const s = r.summary;
  lines.push(
    '',
    'SUMMARY',
    `  changes    ${s.changes}: ${s.added} added, ${s.modified} modified, ${s.deleted} deleted${s.registryChanges ? `; ${s.registryChanges} registry change(s)` : ''}`,
    `  bytes      ${humanSize(s.bytesAdded)} in new files, ${humanSize(s.bytesModified)} in modified files`,
  );
  s.largest.forEach((f, i) => lines.push(`  ${i === 0 ? 'largest   ' : '          '} ${humanSize(f.size).padStart(10)}  ${f.path}`));
  s.topDirs.forEach((d, i) => lines.push(`  ${i === 0 ? 'top dirs  ' : '          '} ${String(d.changes).padStart(10)}  ${d.path}`));
  if (r.state !== 'stopped') lines.push(`  processes  ${r.processes.length}`, ...formatPs(r.processes).split('\n').slice(1).map((l) => `  ${l}`));
  return lines.join('\n');
}
