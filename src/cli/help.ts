import { REG_USAGE } from './reg-command.js';

export const HELP = `fvm: featherweight VMs. Programs in a VM see the whole host, but everything they write
or delete stays in the VM until you commit it.

usage: fvm [--home DIR] [--json] COMMAND [ARGS]

  doctor                          check this machine, with the fix for each failure
  create NAME [--network private|none|host] [--preset default|untrusted]
              [--rule MODE:PATH]... [--hostname NAME]
                                  MODE: cow (default), open (writes reach the host), ro, hidden
  list | info NAME                the VMs; one VM in detail
  run NAME [--root] [--cwd DIR] [--env K=V]... -- CMD [ARG...]
                                  run CMD in the VM (starts it if stopped); exits with CMD's status
  ps [NAME]                       process tree of each running VM
  suspend NAME | resume NAME | stop NAME
  diff NAME                       what the VM changed: "A|M|D <host path>", then "A|M|D <registry key>"
  report NAME                     what the VM did: risk flags (autostart, shell rc, setuid, PATH shims…), summary
  commit NAME [--path P]... [--key K]... [--dry-run] [--force]
                                  apply the VM's changes (or some of them) to the host
  uncommit NAME                   undo the last commit
  copy SRC DST | delete NAME
  export NAME FILE                write the stopped VM to one bundle file (any file system, FAT too)
  import FILE [NAME]              a bundle as a new VM; paths under the exporter's $HOME move to yours
  reg query|add|delete|diff|export|import NAME ...
                                  the VM's Windows registry (Wine); see fvm reg --help
  ui [--web] [--port N]           the desktop app; --web serves it on 127.0.0.1 with a token

The repository is $FVM_HOME, else $XDG_DATA_HOME/fvm (~/.local/share/fvm); --home overrides it.
Portable mode: an FVMRep/ folder beside the app (the AppImage's folder), or FVM_PORTABLE=1, holds
the repository; on FAT/exFAT it keeps bundles and runs the VMs from $XDG_CACHE_HOME/fvm/portable/.`;

const DETAIL: Record<string, string> = {
  run: 'usage: fvm run NAME [--root] [--cwd DIR] [--env K=V]... -- CMD [ARG...]\nThe program gets its own session (no controlling terminal) and a sanitised environment.',
  commit:
    'usage: fvm commit NAME [--path P]... [--key K]... [--dry-run] [--force]\n--path takes a changed path or a directory above changes; --key a changed registry key or a key above changes\n(HKCU\\Software\\X). With only --path, no registry change is committed; with only --key, no file. --force overrides\nhost-drift conflicts. Registry changes are refused (REGISTRY_BUSY) while a wineserver runs for the prefix.',
  reg: REG_USAGE,
  report:
    'usage: fvm report NAME\nRisk flags (high, medium, low) from the VM\'s changes, each with its paths and why it matters, then counts,\nbytes, the largest files, the busiest directories and, while it runs, its processes. --json prints one document.',
  export: 'usage: fvm export NAME FILE\nThe VM must be stopped. FILE is written under a temporary name and renamed when complete.',
  import: 'usage: fvm import FILE [NAME]\nVerifies every checksum before the VM appears; prints what it remapped to your $HOME.',
  create: 'usage: fvm create NAME [--network private|none|host] [--preset default|untrusted] [--rule MODE:PATH]... [--hostname NAME]',
};

export function commandHelp(command: string): string {
  return DETAIL[command] ?? HELP;
}
