/** The VM's live process tree (by ppid), recent exits, and the output of programs run from here. */
import { useLayoutEffect, useMemo, useRef } from 'react';
import { plural } from '../lib/format.js';
import { processTree } from '../lib/process-tree.js';
import type { ProcessRow } from '../store/processes-slice.js';
import { useApp } from '../store/use-app.js';
import { Icon } from './Icon.js';

const EMPTY_PROCESSES: readonly ProcessRow[] = [];

function OutputPanel({ vm }: { readonly vm: string }) {
  const chunks = useApp((s) => s.output[vm]);
  const clearOutput = useApp((s) => s.clearOutput);
  const ref = useRef<HTMLPreElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chunks]);
  if (!chunks || chunks.length === 0) return null;
  return (
    <section className="output-panel" aria-label="Program output">
      <div className="section-head">
        <h3>Output</h3>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-small" onClick={() => clearOutput(vm)}>
          Clear
        </button>
      </div>
      <pre ref={ref} className="output" tabIndex={0}>
        {chunks.map((c) => (
          <span key={c.seq} className={c.stream === 'stderr' ? 'out-err' : undefined}>
            {c.data}
          </span>
        ))}
      </pre>
    </section>
  );
}

export function ProcessesTab({ vm }: { readonly vm: string }) {
  const processes = useApp((s) => s.processes[vm] ?? EMPTY_PROCESSES);
  const exited = useApp((s) => s.exited[vm]);
  const state = useApp((s) => s.vms.find((v) => v.name === vm)?.state ?? 'stopped');
  const refreshProcesses = useApp((s) => s.refreshProcesses);
  const openDialog = useApp((s) => s.openDialog);
  const rows = useMemo(() => processTree(processes), [processes]);
  // The VM's init is shown but not counted, like the list's process count.
  const programs = rows.filter((r) => r.process.vmPid !== 1).length;

  return (
    <div className="processes-tab">
      <div className="section-head">
        <h3>Processes</h3>
        {rows.length > 0 && <span className="muted small">{programs === 0 ? 'only the VM’s init is left' : `${plural(programs, 'program')} running besides init`}</span>}
        <span className="spacer" />
        <button type="button" className="btn btn-ghost btn-small" onClick={() => void refreshProcesses(vm)}>
          <Icon name="refresh" /> Refresh
        </button>
      </div>
      {rows.length === 0 ? (
        <div className="empty-panel">
          <p className="empty-title">{state === 'stopped' ? 'The VM is stopped' : 'No processes'}</p>
          <p className="muted">Programs you run in this VM, and everything they start, appear here as a tree.</p>
          <button type="button" className="btn" onClick={() => openDialog({ kind: 'run', vm })}>
            <Icon name="play" /> Run a program…
          </button>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="table proc-table">
            <thead>
              <tr>
                <th className="num">PID</th>
                <th className="num">VM PID</th>
                <th>State</th>
                <th>Command</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ process: p, guide }) => (
                <tr key={p.pid} className={p.provisional ? 'provisional' : undefined}>
                  <td className="num mono">{p.pid}</td>
                  <td className="num mono">{p.vmPid || '–'}</td>
                  <td className="mono">{p.state}</td>
                  <td className="mono cmd-cell" title={p.cmd}>
                    {guide && <span className="tree-guide">{guide}</span>}
                    {p.vmPid === 1 ? <span className="init-tag">init</span> : null}
                    {p.cmd}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {exited && exited.length > 0 && (
        <section className="exited" aria-label="Recently exited">
          <h3>Recently exited</h3>
          <ul>
            {exited.map((e) => (
              <li key={`${e.pid}-${e.at}`}>
                <span className={e.status === null ? 'exit-unknown' : e.status === 0 ? 'exit-ok' : 'exit-bad'} title={e.status === null ? 'Exit status unknown: not started from here' : undefined}>
                  {e.status === null ? 'ended' : `exit ${e.status}`}
                </span>
                <span className="mono">{e.pid}</span>
                <span className="mono ellipsis" title={e.cmd}>
                  {e.cmd}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <OutputPanel vm={vm} />
    </div>
  );
}
