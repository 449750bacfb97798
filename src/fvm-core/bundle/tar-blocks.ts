/**
 * The 512-byte blocks of a tar stream, encoded by node-tar's Header and Pax.
 *
 * node-tar's Pack takes entry names from paths on disk; a bundle names its entries after the
 * VM's host paths while reading them from several upper trees, so export writes the blocks
 * itself: one header (preceded by a pax header when a name or size does not fit), the data,
 * zero padding to the block size, and two zero blocks at the end.
 */
import { Header, Pax } from 'tar';

export type TarEntryType = 'File' | 'Directory' | 'SymbolicLink';

export interface TarEntryHeader {
  readonly path: string;
  readonly type: TarEntryType;
  readonly mode: number;
  readonly size: number;
  readonly mtime: Date;
  readonly linkpath?: string;
}

/** The header block(s) of one entry. Owners are not recorded: import gives every file to its user. */
export function headerBlocks(e: TarEntryHeader): Buffer {
  const name = e.type === 'Directory' ? `${e.path}/` : e.path;
  const h = new Header({
    path: name,
    type: e.type,
    mode: e.mode & 0o7777,
    size: e.type === 'File' ? e.size : 0,
    mtime: e.mtime,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    linkpath: e.linkpath ?? '',
  });
  const block = Buffer.alloc(512);
  if (!h.encode(block)) return block;
  const pax = new Pax({ path: name, linkpath: e.linkpath, size: e.type === 'File' ? e.size : undefined, mtime: e.mtime }).encode();
  return Buffer.concat([pax, block]);
}

const ZEROS = Buffer.alloc(512);

/** Zero padding after `size` bytes of data. */
export function paddingFor(size: number): Buffer {
  const rest = size % 512;
  return rest === 0 ? Buffer.alloc(0) : ZEROS.subarray(0, 512 - rest);
}

export const END_OF_ARCHIVE = Buffer.alloc(1024);
