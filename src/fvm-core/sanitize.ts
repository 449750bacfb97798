import fs from 'node:fs';

/** Variables a program in a VM keeps from the caller's environment. */
const KEEP = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TERM|COLORTERM|TZ|EDITOR|VISUAL|PAGER|XDG_CONFIG_HOME|XDG_DATA_HOME|XDG_CACHE_HOME|XDG_STATE_HOME|WINEPREFIX|WINEARCH|WINEDEBUG|NO_COLOR|FORCE_COLOR)$/;

/**
 * The environment of a program in a VM: the caller's harmless variables, never the holes.
 *
 * DISPLAY, WAYLAND_DISPLAY, DBUS_SESSION_BUS_ADDRESS, SSH_AUTH_SOCK and friends name sockets
 * outside the VM; the runtime dir is the VM's own empty one.
 */
export function sanitizedEnv(src: NodeJS.ProcessEnv, vmName: string, uid: number, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(src)) if (v !== undefined && KEEP.test(k)) env[k] = v;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.XDG_RUNTIME_DIR = `/run/user/${uid}`;
  env.FVM_VM = vmName;
  return { ...env, ...extra };
}

/** Descriptor numbers found close-on-exec at the last sweep. */
let verified = new Set<number>();

/**
 * Closes descriptors this process inherited without close-on-exec.
 *
 * Node opens everything with O_CLOEXEC, so a descriptor above 2 without that flag came from our
 * own parent (a test harness, a terminal multiplexer) and would otherwise leak into the VM.
 * Those are there from the start; reading every descriptor's flags at every join would cost
 * more than the join's own work, so a number found close-on-exec and still open at the next
 * sweep is not read again (this process's own code never clears the flag).
 */
export function closeInheritedFds(): number {
  let closed = 0;
  let names: string[];
  try {
    names = fs.readdirSync('/proc/self/fd');
  } catch {
    return 0;
  }
  const next = new Set<number>();
  for (const name of names) {
    const fd = Number(name);
    if (fd <= 2) continue;
    if (verified.has(fd)) {
      next.add(fd);
      continue;
    }
    try {
      const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
      const flags = /^flags:\s+([0-7]+)/m.exec(info)?.[1];
      if (flags && (parseInt(flags, 8) & 0o2000000) === 0) {
        fs.closeSync(fd);
        closed++;
      } else if (flags) next.add(fd);
    } catch {
      // the readdir's own descriptor, already closed
    }
  }
  verified = next;
  return closed;
}
