import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffDigests, Sandbox, treeDigest } from '../../helpers/sandbox.js';

function errorOf(r: { stdout: string }): { code: string; message: string; hint: string } {
  return JSON.parse(r.stdout).error;
}

describe('commit against host drift', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('refuses with COMMIT_CONFLICT naming the path and changes nothing; --force applies', () => {
    const f = path.join(sb.home, 'shared.txt');
    const other = path.join(sb.home, 'other.txt');
    fs.writeFileSync(f, 'v1\n');
    sb.ok(['create', 'c', '--network', 'none']);
    sb.ok(['run', 'c', '--', 'sh', '-c', 'echo vm >> ~/shared.txt; echo new > ~/other.txt']);
    fs.appendFileSync(f, 'host\n');
    const before = treeDigest(sb.home);
    const r = sb.fvm(['--json', 'commit', 'c']);
    expect(r.status).toBe(1);
    const e = errorOf(r);
    expect(e.code).toBe('COMMIT_CONFLICT');
    expect(e.message).toContain(f);
    expect(e.hint).toMatch(/--force/);
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    const text = sb.fvm(['commit', 'c']);
    expect(text.stderr).toMatch(/^fvm: COMMIT_CONFLICT: .*shared\.txt.*\nhint: /);
    sb.ok(['commit', 'c', '--force']);
    expect(fs.readFileSync(f, 'utf8')).toBe('v1\nvm\n');
    expect(fs.readFileSync(other, 'utf8')).toBe('new\n');
  });

  it('a dry run lists the plan and changes nothing', () => {
    sb.ok(['create', 'd', '--network', 'none']);
    sb.ok(['run', 'd', '--', 'sh', '-c', 'echo a > ~/a; mkdir ~/dir; echo b > ~/dir/b']);
    const before = treeDigest(sb.home);
    const r = sb.json<{ dryRun: boolean; commit: null; applied: Array<{ path: string }> }>(['commit', 'd', '--dry-run']);
    expect(r.dryRun).toBe(true);
    expect(r.commit).toBeNull();
    expect(r.applied.map((c) => c.path)).toEqual([path.join(sb.home, 'a'), path.join(sb.home, 'dir'), path.join(sb.home, 'dir/b')]);
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
  });
});

describe('bad input changes nothing', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('rejects invalid and unknown names, duplicates, and busy or unknown paths', () => {
    for (const bad of ['-x', '.hidden', 'a/b', 'x'.repeat(65), 'ä', '']) {
      const r = sb.fvm(['--json', 'create', bad]);
      expect(r.status, bad).not.toBe(0);
      expect(['INVALID_NAME', 'USAGE']).toContain(errorOf(r).code);
    }
    expect(errorOf(sb.fvm(['--json', 'create', 'a/b'])).code).toBe('INVALID_NAME');
    expect(errorOf(sb.fvm(['--json', 'info', 'nope'])).code).toBe('VM_NOT_FOUND');
    const unk = sb.fvm(['run', 'nope', '--', 'true']);
    expect(unk.status).toBe(1);
    expect(unk.stderr).toMatch(/^fvm: VM_NOT_FOUND: no VM named 'nope'.*\nhint: .*fvm list/s);
    sb.ok(['create', 'one', '--network', 'none']);
    const dup = sb.fvm(['--json', 'create', 'one']);
    expect(errorOf(dup).code).toBe('VM_EXISTS');
    expect(sb.json<{ vms: unknown[] }>(['list']).vms).toHaveLength(1);
    expect(errorOf(sb.fvm(['--json', 'create', 'two', '--network', 'wifi'])).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(sb.fvm(['--json', 'create', 'two', '--rule', 'chmod:/tmp'])).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(sb.fvm(['--json', 'create', 'two', '--rule', 'ro:relative'])).code).toBe('INVALID_ARGUMENT');
    expect(sb.json<{ vms: unknown[] }>(['list']).vms).toHaveLength(1);
    const usage = sb.fvm(['frobnicate']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^fvm: USAGE: unknown command 'frobnicate'/);
    expect(sb.fvm(['run', 'one']).status).toBe(2);
    expect(sb.fvm(['diff', 'one', '--bogus']).status).toBe(2);
  });

  it('refuses to commit or delete a VM with running programs, and --path outside its changes', async () => {
    sb.ok(['create', 'busy', '--network', 'none']);
    sb.ok(['run', 'busy', '--', 'sh', '-c', 'echo x > ~/x; nohup sleep 300 >/dev/null 2>&1 &']);
    const before = treeDigest(sb.home);
    const c = sb.fvm(['--json', 'commit', 'busy']);
    expect(errorOf(c).code).toBe('VM_RUNNING');
    expect(errorOf(c).hint).toContain('fvm stop busy');
    const d = sb.fvm(['--json', 'delete', 'busy']);
    expect(errorOf(d).code).toBe('VM_RUNNING');
    expect(sb.json<{ state: string }>(['info', 'busy']).state).toBe('running');
    sb.ok(['stop', 'busy']);
    const outside = sb.fvm(['--json', 'commit', 'busy', '--path', path.join(sb.home, 'not-changed')]);
    expect(errorOf(outside).code).toBe('PATH_NOT_CHANGED');
    expect(errorOf(outside).message).toContain('not-changed');
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    expect(sb.json<{ changes: unknown[] }>(['diff', 'busy']).changes).toHaveLength(1);
  });
});

describe('kill -9 in the middle of a commit', () => {
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  const SCRIPT = 'for i in 1 2 3 4 5 6; do echo "vm $i" > ~/f$i; done; echo changed >> ~/keep.txt; rm ~/gone.txt; mkdir -p ~/d/e; echo deep > ~/d/e/x';

  function setup(): { before: Map<string, string>; expected: Map<string, string> } {
    fs.writeFileSync(path.join(sb.home, 'keep.txt'), 'host\n');
    fs.writeFileSync(path.join(sb.home, 'gone.txt'), 'bye\n');
    fs.writeFileSync(path.join(sb.home, 'f2'), 'host 2\n');
    const before = treeDigest(sb.home);
    // The expected end state: what a clean commit produces, computed in a twin world.
    const twin = new Sandbox();
    try {
      for (const [name, body] of [['keep.txt', 'host\n'], ['gone.txt', 'bye\n'], ['f2', 'host 2\n']]) fs.writeFileSync(path.join(twin.home, name), body);
      twin.ok(['create', 'k', '--network', 'none']);
      twin.ok(['run', 'k', '--', 'sh', '-c', SCRIPT]);
      twin.ok(['commit', 'k']);
      const expected = new Map([...treeDigest(twin.home)].map(([k, v]) => [k.slice(twin.home.length), v]));
      sb.ok(['create', 'k', '--network', 'none']);
      sb.ok(['run', 'k', '--', 'sh', '-c', SCRIPT]);
      sb.ok(['stop', 'k']);
      return { before, expected };
    } finally {
      twin.cleanup();
    }
  }

  const rel = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [k.slice(sb.home.length), v]));

  for (const fault of ['commit-op:0', 'commit-op:3', 'commit-mid:1', 'commit-mid:5', 'commit-op:8', 'commit-finalize']) {
    it(`at ${fault}: the next command resumes, and no half-written file is ever on the host`, () => {
      const { before, expected } = setup();
      const r = sb.fvm(['commit', 'k'], { env: { FVM_FAULT: fault } });
      expect(r.status).not.toBe(0); // killed by SIGKILL at the fault point
      // Whatever the host holds now is either a host original or a complete VM file.
      const vmFiles = new Set(['vm 1\n', 'vm 2\n', 'vm 3\n', 'vm 4\n', 'vm 5\n', 'vm 6\n', 'host\nchanged\n', 'deep\n', 'host\n', 'bye\n', 'host 2\n']);
      for (const [p] of treeDigest(sb.home)) {
        const st = fs.lstatSync(p);
        expect(path.basename(p).startsWith('.fvm-commit')).toBe(false);
        if (st.isFile()) expect(vmFiles.has(fs.readFileSync(p, 'utf8')), p).toBe(true);
      }
      expect(before.size).toBeGreaterThan(0);
      // The next command (any that takes the VM's lock) finishes the commit.
      sb.ok(['info', 'k']);
      sb.ok(['diff', 'k']);
      const info = sb.json<{ commits: number }>(['info', 'k']);
      const changes = sb.json<{ changes: unknown[] }>(['diff', 'k']).changes;
      if (info.commits === 0) {
        // Killed before the plan existed: nothing happened; committing again works.
        sb.ok(['commit', 'k']);
      } else {
        expect(changes).toEqual([]);
      }
      expect(rel(treeDigest(sb.home))).toEqual(expected);
      sb.ok(['uncommit', 'k']);
      expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    });
  }

  it('at uncommit-op:2: the next command finishes the uncommit', () => {
    const { before } = setup();
    sb.ok(['commit', 'k']);
    const r = sb.fvm(['uncommit', 'k'], { env: { FVM_FAULT: 'uncommit-op:2' } });
    expect(r.status).not.toBe(0);
    sb.ok(['list']);
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    expect(sb.json<{ commits: number }>(['info', 'k']).commits).toBe(0);
  });
});
