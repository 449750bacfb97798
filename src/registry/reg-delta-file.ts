/**
 * The on-disk form of a registry delta: one text file per hive, written atomically by the engine.
 *
 * One file, so that a crash can never leave the copied keys and the deletion log out of step.
 * It reads like a Wine hive, and its key blocks are exactly Wine's syntax (same escapes, same
 * hex layout, parsed by the same parser), after a deletion section in the style of regedit:
 *
 *     FVM REGISTRY DELTA Version 1
 *     ;; All keys relative to REGISTRY\\Machine
 *
 *     #arch=win64
 *
 *     -[Software\\Gone]                        a deleted subtree
 *     -[Software\\Host\\Key] "removed value"   a value deleted from a host key
 *     -[Software\\Host\\Key] @                 its default value
 *
 *     [Software\\Changed] 1795500195           the VM's copy of a key, as Wine writes it
 *     #time=1dd7bd97efb7aae
 *     "a"="b"
 *
 * The first line differs from Wine's on purpose: Wine must never load a delta as a hive.
 * Lines end in LF; key paths and names use Wine's escapes (research/wine-reg-format.md §6).
 */
import { FvmError } from '../shared/errors.js';
import { compareDeletions, type RegDelta, type ValueDeletion } from './reg-delta.js';
import { compareKeyPaths } from './reg-names.js';
import { parseWineReg } from './wine-reg-parser.js';
import { serializeKey } from './wine-reg-serializer.js';
import { escapeKeyPath, escapeWine, readEscaped } from './wine-escape.js';

const MAGIC = 'FVM REGISTRY DELTA Version 1';

/** The text of a delta file (see the module comment). */
export function serializeDelta(delta: RegDelta): string {
  let out = MAGIC + '\n';
  if (delta.header.root !== null) out += ';; All keys relative to ' + escapeKeyPath(delta.header.root) + '\n';
  if (delta.header.arch !== null) out += '\n#arch=' + delta.header.arch + '\n';
  if (delta.deletedKeys.length > 0 || delta.deletedValues.length > 0) out += '\n';
  for (const p of [...delta.deletedKeys].sort(compareKeyPaths)) out += '-[' + escapeKeyPath(p) + ']\n';
  for (const d of [...delta.deletedValues].sort(compareDeletions)) {
    out += '-[' + escapeKeyPath(d.key) + '] ' + (d.name === '' ? '@' : '"' + escapeWine(d.name, 'quoted') + '"') + '\n';
  }
  for (const key of delta.keys) out += '\n' + serializeKey(key, '\n');
  return out;
}

function parseError(label: string, line: number, message: string): FvmError {
  return new FvmError(
    'REGISTRY_PARSE',
    `cannot parse ${label}line ${line}: ${message}`,
    "The VM's registry delta is damaged. Restore the VM from an export, or delete the file to drop the VM's registry changes.",
  );
}

/** Reads a delta file; throws REGISTRY_PARSE with the 1-based line of the first error. */
export function parseDelta(text: string, options: { label?: string } = {}): RegDelta {
  const label = options.label ? `${options.label}: ` : '';
  const lines = text.split('\n');
  if ((lines[0] ?? '').replace(/\r$/, '') !== MAGIC) throw parseError(label, 1, `the first line must be "${MAGIC}"`);
  const deletedKeys: (readonly string[])[] = [];
  const deletedValues: ValueDeletion[] = [];
  // Deletion lines become blank lines of the Wine text, so the parser's line numbers stay true.
  const wine = ['WINE REGISTRY Version 2'];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.startsWith('-[')) {
      wine.push(lines[i]);
      continue;
    }
    wine.push('');
    const cur = { pos: 2 };
    const raw = readEscaped(line, cur, line.length, 0x5d);
    if (raw === null) throw parseError(label, i + 1, 'malformed deletion (no closing "]")');
    const path = raw === '' ? [] : raw.split('\\');
    if (path.some((c) => c === '')) throw parseError(label, i + 1, 'empty key name in a path');
    const rest = line.slice(cur.pos);
    if (rest.trim() === '') {
      deletedKeys.push(path);
    } else if (rest === ' @') {
      deletedValues.push({ key: path, name: '' });
    } else if (rest.startsWith(' "')) {
      const vcur = { pos: 2 };
      const name = readEscaped(rest, vcur, rest.length, 0x22);
      if (name === null || vcur.pos !== rest.length) throw parseError(label, i + 1, 'malformed value name in a deletion');
      deletedValues.push({ key: path, name });
    } else {
      throw parseError(label, i + 1, 'unexpected text after a deleted key');
    }
  }
  const hive = parseWineReg(wine.join('\n'), { label: options.label });
  return {
    header: hive.header,
    keys: [...hive.keys].sort((a, b) => compareKeyPaths(a.path, b.path)),
    deletedKeys: deletedKeys.sort(compareKeyPaths),
    deletedValues: deletedValues.sort(compareDeletions),
  };
}
