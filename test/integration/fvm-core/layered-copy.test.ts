import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffDigests, Sandbox, treeDigest } from '../../helpers/sandbox.js';

type Changes = { changes: Array<{ kind: string; path: string; type: string }> };

// Copies stack a frozen, shared layer below fresh upper trees (O(1) whatever the size); these
// tests check that the merged view behaves exactly like the source did, in both VMs, and that
// the two stay independent.
describe('layered copies', () => {
  const sb = new Sandbox();
  const h = (p: string) => path.join(sb.home, p);
  let hostBefore: Map<string, string>;

  beforeAll(() => {
    fs.writeFileSync(h('keep.txt'), 'host keep\n');
    fs.writeFileSync(h('gone.txt'), 'host gone\n');
    fs.mkdirSync(h('dir'));
    fs.writeFileSync(h('dir/old'), 'old\n');
    hostBefore = treeDigest(sb.home);
    sb.ok(['create', 'src', '--network', 'none']);
    sb.ok(['run', 'src', '--', 'sh', '-c', 'echo vm > ~/keep.txt; rm ~/gone.txt; rm -r ~/dir; mkdir ~/dir; echo new > ~/dir/new; mkdir ~/big; for i in $(seq 1 200); do echo $i > ~/big/f$i; done']);
    sb.ok(['stop', 'src']);
  });
  afterAll(() => sb.cleanup());

  it('a copy sees exactly what the source saw: files, deletions, replaced directories', () => {
    const before = sb.json<Changes>(['diff', 'src']);
    sb.ok(['copy', 'src', 'dup']);
    expect(sb.json<Changes>(['diff', 'dup'])).toEqual(before);
    expect(sb.json<Changes>(['diff', 'src'])).toEqual(before);
    const view = 'cat ~/keep.txt; ls ~/gone.txt 2>&1 >/dev/null | wc -l; ls ~/dir; ls ~/big | wc -l';
    expect(sb.ok(['run', 'dup', '--', 'sh', '-c', view]).stdout).toBe('vm\n1\nnew\n200\n');
    expect(sb.ok(['run', 'src', '--', 'sh', '-c', view]).stdout).toBe('vm\n1\nnew\n200\n');
    sb.ok(['stop', 'dup']);
    sb.ok(['stop', 'src']);
  });

  it('the two VMs are independent: changes in one never show in the other', () => {
    sb.ok(['run', 'dup', '--', 'sh', '-c', 'echo dup >> ~/keep.txt; rm ~/big/f1; echo only-dup > ~/dup.txt']);
    sb.ok(['run', 'src', '--', 'sh', '-c', 'echo src-more > ~/dir/new']);
    expect(sb.ok(['run', 'src', '--', 'sh', '-c', 'cat ~/keep.txt; ls ~/big | wc -l; cat ~/dup.txt 2>/dev/null || echo none']).stdout).toBe('vm\n200\nnone\n');
    expect(sb.ok(['run', 'dup', '--', 'sh', '-c', 'cat ~/keep.txt; ls ~/big | wc -l; cat ~/dir/new']).stdout).toBe('vm\ndup\n199\nnew\n');
    sb.ok(['stop', 'dup']);
    sb.ok(['stop', 'src']);
    const dup = sb.json<Changes>(['diff', 'dup']).changes.map((c) => `${c.kind} ${c.path}`);
    expect(dup).toContain(`added ${h('dup.txt')}`);
    expect(dup).not.toContain(`added ${h('big/f1')}`);
    expect(dup).toContain(`added ${h('big/f2')}`);
  });

  it('a copy of a copy stacks both layers', () => {
    sb.ok(['copy', 'dup', 'dup2']);
    expect(sb.ok(['run', 'dup2', '--', 'sh', '-c', 'cat ~/keep.txt; cat ~/dup.txt; ls ~/big | wc -l']).stdout).toBe('vm\ndup\nonly-dup\n199\n');
    sb.ok(['stop', 'dup2']);
    expect(sb.json<Changes>(['diff', 'dup2'])).toEqual(sb.json<Changes>(['diff', 'dup']));
  });

  it('commits from shared layers copy (never move) and uncommit restores the host', () => {
    const before = treeDigest(sb.home);
    sb.ok(['commit', 'dup2']);
    expect(fs.readFileSync(h('keep.txt'), 'utf8')).toBe('vm\ndup\n');
    expect(fs.existsSync(h('gone.txt'))).toBe(false);
    expect(fs.readdirSync(h('dir'))).toEqual(['new']);
    expect(fs.readdirSync(h('big'))).toHaveLength(199);
    expect(sb.json<Changes>(['diff', 'dup2']).changes).toEqual([]);
    // The other VMs that stack the same layers are untouched.
    expect(sb.ok(['run', 'src', '--', 'sh', '-c', 'cat ~/keep.txt; ls ~/big | wc -l']).stdout).toBe('vm\n200\n');
    sb.ok(['stop', 'src']);
    sb.ok(['uncommit', 'dup2']);
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    expect(diffDigests(hostBefore, treeDigest(sb.home))).toEqual([]);
  });

  it('deleting VMs keeps the layers others stack and removes unused ones', () => {
    const layers = () => fs.readdirSync(path.join(sb.fvmHome, 'layers')).sort();
    expect(layers()).toHaveLength(2);
    sb.ok(['delete', 'src']);
    sb.ok(['delete', 'dup']);
    expect(layers()).toHaveLength(2);
    expect(sb.ok(['run', 'dup2', '--', 'cat', h('dup.txt')]).stdout).toBe('only-dup\n');
    sb.ok(['stop', 'dup2']);
    sb.ok(['delete', 'dup2']);
    expect(layers()).toEqual([]);
  });
});
