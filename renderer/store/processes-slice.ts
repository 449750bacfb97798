/** Live processes of each VM, recently exited ones, and the output of programs started here. */
import type { EventPayloads } from '../../src/shared/bridge.js';
import type { ProcessInfo } from '../../src/shared/types.js';
import type { SliceCreator } from './app-state.js';

/** A process known from a 'process:started' event before `vm:ps` has told its parent. */
export interface ProcessRow extends ProcessInfo {
  readonly provisional: boolean;
}

export interface ExitedProcess {
  readonly pid: number;
  readonly cmd: string;
  readonly status: number | null;
  readonly at: number;
}

export interface OutputChunk {
  readonly seq: number;
  readonly runId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly data: string;
}

export interface ProcessesSlice {
  readonly processes: Readonly<Record<string, readonly ProcessRow[]>>;
  readonly exited: Readonly<Record<string, readonly ExitedProcess[]>>;
  readonly output: Readonly<Record<string, readonly OutputChunk[]>>;
  refreshProcesses(vm: string): Promise<void>;
  receiveProcessStarted(event: EventPayloads['process:started']): void;
  receiveProcessExited(event: EventPayloads['process:exited']): void;
  /** Output is buffered and applied at most every OUTPUT_BATCH_MS, so a chatty program costs few renders. */
  receiveProcessOutput(event: EventPayloads['process:output']): void;
  flushOutput(): void;
  clearProcesses(vm: string): void;
  clearOutput(vm: string): void;
}

const MAX_EXITED = 20;
/** Output kept per VM, in characters: enough to read an installer's last screens. */
const MAX_OUTPUT_CHARS = 256 * 1024;
/** `vm:ps` after a burst of starts and exits, to learn parents and drop the departed. */
const PS_DEBOUNCE_MS = 250;
const OUTPUT_BATCH_MS = 80;
const MAX_REMEMBERED_CMDS = 2000;

export const createProcessesSlice: SliceCreator<ProcessesSlice> = ({ set, get, bridge }) => {
  const psTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Commands of started processes, for naming them when they exit after leaving `vm:ps`. */
  const startedCmds = new Map<string, string>();
  const outputChars = new Map<string, number>();
  let pendingOutput: OutputChunk[] = [];
  let pendingVms: string[] = [];
  let outputTimer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;

  function schedulePs(vm: string): void {
    if (psTimers.has(vm)) return;
    psTimers.set(
      vm,
      setTimeout(() => {
        psTimers.delete(vm);
        void get().refreshProcesses(vm);
      }, PS_DEBOUNCE_MS),
    );
  }

  return {
    processes: {},
    exited: {},
    output: {},

    async refreshProcesses(vm) {
      const result = await bridge.vmPs({ name: vm });
      if (!result.ok) {
        // A VM that is stopped or gone simply has no processes; anything else is worth a notice.
        if (result.error.code !== 'VM_NOT_FOUND' && result.error.code !== 'VM_NOT_RUNNING') get().reportError(`Processes of ${vm}`, result.error);
        return;
      }
      const rows = result.value.processes.filter((p) => p.vm === vm).map((p) => ({ ...p, provisional: false }));
      set((s) => ({ processes: { ...s.processes, [vm]: rows } }));
    },

    receiveProcessStarted({ vm, pid, cmd, ppid }) {
      startedCmds.set(`${vm}:${pid}`, cmd);
      if (startedCmds.size > MAX_REMEMBERED_CMDS) startedCmds.delete(startedCmds.keys().next().value!);
      set((s) => {
        const current = s.processes[vm] ?? [];
        if (current.some((p) => p.pid === pid)) return {};
        const row: ProcessRow = { vm, pid, ppid: ppid ?? 0, vmPid: 0, cmd, state: 'R', provisional: true };
        return { processes: { ...s.processes, [vm]: [...current, row] } };
      });
      get().adjustProcessCount(vm, +1);
      schedulePs(vm);
    },

    receiveProcessExited({ vm, pid, status }) {
      set((s) => {
        const current = s.processes[vm] ?? [];
        const gone = current.find((p) => p.pid === pid);
        const cmd = gone?.cmd ?? startedCmds.get(`${vm}:${pid}`) ?? `pid ${pid}`;
        startedCmds.delete(`${vm}:${pid}`);
        const exit: ExitedProcess = { pid, cmd, status, at: Date.now() };
        return {
          processes: { ...s.processes, [vm]: current.filter((p) => p.pid !== pid) },
          exited: { ...s.exited, [vm]: [exit, ...(s.exited[vm] ?? [])].slice(0, MAX_EXITED) },
        };
      });
      get().adjustProcessCount(vm, -1);
      schedulePs(vm);
    },

    receiveProcessOutput({ vm, runId, stream, data }) {
      pendingOutput.push({ seq: ++seq, runId, stream, data });
      pendingVms.push(vm);
      if (outputTimer === null) outputTimer = setTimeout(() => get().flushOutput(), OUTPUT_BATCH_MS);
    },

    flushOutput() {
      if (outputTimer !== null) clearTimeout(outputTimer);
      outputTimer = null;
      if (pendingOutput.length === 0) return;
      const chunks = pendingOutput;
      const vms = pendingVms;
      pendingOutput = [];
      pendingVms = [];
      const byVm = new Map<string, OutputChunk[]>();
      chunks.forEach((chunk, i) => {
        const list = byVm.get(vms[i]);
        if (list) list.push(chunk);
        else byVm.set(vms[i], [chunk]);
      });
      set((s) => {
        const output = { ...s.output };
        for (const [vm, added] of byVm) {
          const list = (output[vm] ?? []).concat(added);
          let chars = (outputChars.get(vm) ?? 0) + added.reduce((n, c) => n + c.data.length, 0);
          let drop = 0;
          while (chars > MAX_OUTPUT_CHARS && drop < list.length - 1) chars -= list[drop++].data.length;
          outputChars.set(vm, chars);
          output[vm] = drop > 0 ? list.slice(drop) : list;
        }
        return { output };
      });
    },

    clearProcesses(vm) {
      set((s) => {
        if (!s.processes[vm]) return {};
        const processes = { ...s.processes };
        delete processes[vm];
        return { processes };
      });
    },

    clearOutput(vm) {
      outputChars.delete(vm);
      set((s) => {
        const output = { ...s.output };
        delete output[vm];
        return { output };
      });
    },
  };
};
