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
  diff NAME                       what the VM changed: "A|M|D <host path>"
  commit NAME [--path P]... [--dry-run] [--force]
                                  apply the VM's changes (or some of them) to the host
  uncommit NAME                   undo the last commit
  copy SRC DST | delete NAME
  export NAME FILE                write the stopped VM to one bundle file (any file system, FAT too)
  import FILE [NAME]              a bundle as a new VM; paths under the exporter's $HOME move to yours
  ui [--web] [--port N]           the desktop app; --web serves it on 127.0.0.1 with a token

The repository is $FVM_HOME, else $XDG_DATA_HOME/fvm (~/.local/share/fvm); --home overrides it.
Portable mode: an FVMRep/ folder beside the app (the AppImage's folder), or FVM_PORTABLE=1, holds
the repository; on FAT/exFAT it keeps bundles and runs the VMs from $XDG_CACHE_HOME/fvm/portable/.`;

const DETAIL: Record<string, string> = {
  run: 'usage: fvm run NAME [--root] [--cwd DIR] [--env K=V]... -- CMD [ARG...]\nThe program gets its own session (no controlling terminal) and a sanitised environment.',
  commit: 'usage: fvm commit NAME [--path P]... [--dry-run] [--force]\n--path takes a changed path or a directory above changes; --force overrides host-drift conflicts.',
  export: 'usage: fvm export NAME FILE\nThe VM must be stopped. FILE is written under a temporary name and renamed when complete.',
  import: 'usage: fvm import FILE [NAME]\nVerifies every checksum before the VM appears; prints what it remapped to your $HOME.',
  create: 'usage: fvm create NAME [--network private|none|host] [--preset default|untrusted] [--rule MODE:PATH]... [--hostname NAME]',
};

export function commandHelp(command: string): string {
  return DETAIL[command] ?? HELP;
}
