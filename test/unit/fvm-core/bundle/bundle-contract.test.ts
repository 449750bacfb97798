import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { schemas } from '../../../../src/shared/contract.js';
import { openEngine } from '../../../../src/fvm-core/engine.js';

describe('vm:export and vm:import in the contract', () => {
  it('validate their inputs', () => {
    expect(schemas['vm:export'].safeParse({ name: 'dev', file: '/media/stick/dev.fvm' }).success).toBe(true);
    expect(schemas['vm:export'].safeParse({ name: 'dev', file: 'relative.fvm' }).success).toBe(false);
    expect(schemas['vm:export'].safeParse({ name: '../x', file: '/x.fvm' }).success).toBe(false);
    expect(schemas['vm:export'].safeParse({ name: 'dev', file: '/x.fvm', extra: 1 }).success).toBe(false);
    expect(schemas['vm:import'].safeParse({ file: '/media/stick/dev.fvm' }).success).toBe(true);
    expect(schemas['vm:import'].safeParse({ file: '/media/stick/dev.fvm', name: 'copy' }).success).toBe(true);
    expect(schemas['vm:import'].safeParse({ file: '/a\0b' }).success).toBe(false);
  });

  describe('through Engine.invoke', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-bundle-contract-'));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('exports a stopped VM and imports it under another name, with progress events', async () => {
      const engine = openEngine({ home: path.join(tmp, 'repo'), lingerSeconds: 0 });
      const events: Array<[string, unknown]> = [];
      engine.events.on((c, p) => events.push([c, p]));
      await engine.invoke('vm:create', { name: 'src', network: 'none' });
      const file = path.join(tmp, 'src.fvm');
      const exp = await engine.invoke('vm:export', { name: 'src', file });
      expect(exp).toMatchObject({ name: 'src', file, skipped: [] });
      expect(exp.bytes).toBe(fs.statSync(file).size);
      const imp = await engine.invoke('vm:import', { file, name: 'dst' });
      expect(imp.vm).toMatchObject({ name: 'dst', state: 'stopped' });
      expect(imp.relocation).toBeNull();
      expect(imp.source.home).toBe(os.homedir());
      expect(engine.list().map((v) => v.name)).toEqual(['src', 'dst']);
      expect(events.filter(([c]) => c === 'op:progress').map(([, p]) => (p as { op: string }).op)).toEqual(expect.arrayContaining(['export', 'import']));
      expect(events).toContainEqual(['vm:state', { vm: 'dst', state: 'stopped' }]);
      await expect(engine.invoke('vm:import', { file })).rejects.toMatchObject({ code: 'VM_EXISTS' });
      await expect(engine.invoke('vm:export', { name: 'nope', file })).rejects.toMatchObject({ code: 'VM_NOT_FOUND' });
      await engine.close();
    });
  });
});
