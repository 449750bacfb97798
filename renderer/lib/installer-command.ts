/**
 * How a picked file is started inside a VM: the command a person would type for it.
 *
 * Models are data with a `kind`; the switch ends in assertNever so a new kind cannot be
 * forgotten.
 */
import { assertNever } from '../../src/shared/errors.js';

export type FileKind = 'shell-script' | 'appimage' | 'deb' | 'msi' | 'exe' | 'program';

export interface FileCommand {
  readonly kind: FileKind;
  /** What the run dialog shows, e.g. "Windows installer (.msi), through Wine". */
  readonly label: string;
  readonly command: readonly string[];
  /** dpkg must write root-owned /var/lib/dpkg: only a root VM can install a .deb. */
  readonly root: boolean;
}

export function fileKind(path: string): FileKind {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (name.endsWith('.sh')) return 'shell-script';
  if (name.endsWith('.appimage')) return 'appimage';
  if (name.endsWith('.deb')) return 'deb';
  if (name.endsWith('.msi')) return 'msi';
  if (name.endsWith('.exe')) return 'exe';
  return 'program';
}

export function commandForFile(path: string): FileCommand {
  const kind = fileKind(path);
  switch (kind) {
    case 'shell-script':
      // Through sh: a downloaded script rarely has its executable bit.
      return { kind, label: 'Shell script (.sh)', command: ['/bin/sh', path], root: false };
    case 'appimage':
      // Extract-and-run needs no FUSE, which a VM's user namespace usually lacks.
      return { kind, label: 'AppImage', command: [path, '--appimage-extract-and-run'], root: false };
    case 'deb':
      return { kind, label: 'Debian package (.deb), installed with dpkg as root in the VM', command: ['dpkg', '-i', path], root: true };
    case 'msi':
      return { kind, label: 'Windows installer (.msi), through Wine', command: ['wine', 'msiexec', '/i', path], root: false };
    case 'exe':
      return { kind, label: 'Windows program (.exe), through Wine', command: ['wine', path], root: false };
    case 'program':
      return { kind, label: 'Program', command: [path], root: false };
    default:
      return assertNever(kind, 'file kind');
  }
}

/** A command line typed by the user runs through /bin/sh, so quotes, pipes and `&&` work. */
export function commandForLine(line: string): readonly string[] {
  return ['/bin/sh', '-c', line];
}
