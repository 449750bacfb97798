import fs from 'node:fs';
import type { HostStat, HostView } from './mount-plan.js';

function typeOf(st: fs.Stats): HostStat['type'] {
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isSocket()) return 'socket';
  return 'other';
}

/** Whether a user may read and search a directory, judged from its mode bits. */
export function canEnter(st: fs.Stats, uid: number, groups: readonly number[]): boolean {
  if (uid === 0) return true;
  const m = st.mode;
  if (st.uid === uid) return (m & 0o500) === 0o500;
  if (groups.includes(st.gid)) return (m & 0o050) === 0o050;
  return (m & 0o005) === 0o005;
}

/** Whiteout: a character device 0:0 in an overlay's upper tree. */
export function isWhiteoutStat(st: fs.Stats | fs.Dirent): boolean {
  return st.isCharacterDevice() && (!('rdev' in st) || st.rdev === 0);
}

function statOf(p: string, uid: number, groups: readonly number[]): HostStat | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return null;
  }
  const type = typeOf(st);
  return {
    type,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    linkTarget: type === 'symlink' ? fs.readlinkSync(p) : undefined,
    enterable: type === 'dir' ? canEnter(st, uid, groups) : true,
  };
}

/** The planner's view of the real host file system. */
export function realHostView(uid: number, groups: readonly number[]): HostView {
  return {
    stat: (p) => statOf(p, uid, groups),
    list: (dir) => {
      try {
        return fs.readdirSync(dir);
      } catch {
        return [];
      }
    },
    isWhiteout: (p) => {
      try {
        return isWhiteoutStat(fs.lstatSync(p));
      } catch {
        return false;
      }
    },
    upperStat: (p) => statOf(p, uid, groups),
  };
}
