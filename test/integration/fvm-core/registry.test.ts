import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, treeDigest, diffDigests } from '../../helpers/sandbox.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';

// The registry issue's acceptance b, c and d with real Wine: a prefix made on the host, Wine
// programs run in VMs, and the host's hives checked byte for byte.

const WINE_ENV = { WINEDEBUG: '-all' };

const WXS = `<?xml version="1.0" encoding="utf-8"?>
<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi">
  <Product Id="{7D3A1C55-0B2E-4F61-9C3D-2A4B5C6D7E80}" Name="FvmRegTestApp" Language="1033" Version="1.2.0"
           Manufacturer="FVM Tests" UpgradeCode="{7D3A1C55-0B2E-4F61-9C3D-2A4B5C6D7E81}">
    <Package InstallerVersion="200" Compressed="yes" InstallScope="perMachine" />
    <Media Id="1" Cabinet="app.cab" EmbedCab="yes" />
    <Directory Id="TARGETDIR" Name="SourceDir">
      <Directory Id="ProgramFilesFolder">
        <Directory Id="INSTALLDIR" Name="FvmRegTest">
          <Component Id="Files" Guid="{7D3A1C55-0B2E-4F61-9C3D-2A4B5C6D7E90}">
            <File Id="Readme" Name="readme.txt" Source="readme.txt" KeyPath="yes" />
          </Component>
          <Component Id="MachineKey" Guid="{7D3A1C55-0B2E-4F61-9C3D-2A4B5C6D7E91}">
            <RegistryKey Root="HKLM" Key="Software\\FvmRegTest">
              <RegistryValue Name="Version" Type="string" Value="1.2.0" KeyPath="yes" />
              <RegistryValue Name="Build" Type="integer" Value="42" />
            </RegistryKey>
          </Component>
          <Component Id="UserKey" Guid="{7D3A1C55-0B2E-4F61-9C3D-2A4B5C6D7E92}">
            <RegistryKey Root="HKCU" Key="Software\\FvmRegTest">
              <RegistryValue Name="Installed" Type="string" Value="yes" KeyPath="yes" />
              <RegistryValue Name="Greeting" Type="string" Value="héllo wörld" />
            </RegistryKey>
          </Component>
        </Directory>
      </Directory>
    </Directory>
    <Feature Id="Complete" Level="1">
      <ComponentRef Id="Files" />
      <ComponentRef Id="MachineKey" />
      <ComponentRef Id="UserKey" />
    </Feature>
  </Product>
</Wix>
`;

interface RegKeyInfo {
  key: string;
  values: { name: string; type: string; data: string }[];
  subkeys: string[];
}
interface RegChange {
  prefix: string;
  kind: string;
  key: string;
  value?: string;
}

describe('Wine registries in VMs', () => {
  const sb = new Sandbox('fvm-reg-');
  const prefix = path.join(sb.home, '.wine');
  const userReg = path.join(prefix, 'user.reg');
  const systemReg = path.join(prefix, 'system.reg');
  const msi = path.join(sb.dir, 'msi', 'app.msi');

  /** Runs Wine on the host, in the sandbox's $HOME, and waits for its server to save. */
  function hostWine(args: string[]): void {
    const env = { ...sb.env(WINE_ENV) };
    const r = spawnSync('sh', ['-c', '"$@" && wineserver -w', 'sh', ...args], { env, cwd: sb.home, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stdout}\n${r.stderr}`);
  }

  beforeAll(() => {
    // A settled prefix, as a user has one: made, then started once (the first start after
    // wineboot still rewrites some keys; research/wine.md §2).
    hostWine(['wineboot', '-i']);
    hostWine(['wine', 'cmd', '/c', 'exit', '0']);
    fs.mkdirSync(path.dirname(msi), { recursive: true });
    fs.writeFileSync(path.join(path.dirname(msi), 'readme.txt'), 'FVM registry test\n');
    fs.writeFileSync(path.join(path.dirname(msi), 'app.wxs'), WXS);
    const w = spawnSync('wixl', ['-o', msi, 'app.wxs'], { cwd: path.dirname(msi), encoding: 'utf8' });
    if (w.status !== 0) throw new Error(`wixl failed: ${w.stderr}`);
  }, 240_000);

  afterAll(() => sb.cleanup());

  it('a: the hives of a freshly made prefix round-trip byte for byte', () => {
    for (const h of ['system.reg', 'user.reg', 'userdef.reg']) {
      const bytes = fs.readFileSync(path.join(prefix, h));
      expect(Buffer.from(serializeWineReg(parseWineReg(bytes, { label: h }))).equals(bytes), h).toBe(true);
    }
  });

  it('b: a key added by Wine in a VM is in the VM only; a host key added later is visible in the VM', () => {
    const before = fs.readFileSync(userReg);
    sb.ok(['create', 'b1']);
    sb.ok(['run', 'b1', '--', 'wine', 'reg', 'add', 'HKCU\\Software\\FvmTest', '/v', 'A', '/d', '1'], { env: WINE_ENV });
    const q = sb.json<{ keys: RegKeyInfo[] }>(['reg', 'query', 'b1', 'HKCU\\Software\\FvmTest']);
    expect(q.keys[0].key).toBe('HKCU\\Software\\FvmTest');
    expect(q.keys[0].values).toEqual([{ name: 'A', type: 'REG_SZ', data: '1' }]);
    expect(fs.readFileSync(userReg).equals(before)).toBe(true);
    expect(fs.readFileSync(userReg, 'utf8')).not.toContain('FvmTest');

    // Key-level copy-on-write: the VM already has its own user.reg, yet sees the host's new key.
    hostWine(['wine', 'reg', 'add', 'HKCU\\Software\\HostLater', '/v', 'B', '/d', 'two']);
    const r = sb.ok(['run', 'b1', '--', 'sh', '-c', 'wine reg query "HKCU\\Software\\HostLater" && wine reg query "HKCU\\Software\\FvmTest"'], { env: WINE_ENV });
    expect(r.stdout).toMatch(/B\s+REG_SZ\s+two/);
    expect(r.stdout).toMatch(/A\s+REG_SZ\s+1/);
    // The host key is not part of the VM's changes.
    const d = sb.json<{ changes: RegChange[] }>(['reg', 'diff', 'b1']);
    expect(d.changes.map((c) => `${c.kind} ${c.key} ${c.value ?? ''}`.trim())).toEqual(['added HKCU\\Software\\FvmTest', 'added HKCU\\Software\\FvmTest A']);
    // `fvm diff` shows the registry, not the hive files.
    const all = sb.json<{ changes: { path: string }[]; registry: RegChange[] }>(['diff', 'b1']);
    expect(all.changes.filter((c) => c.path.endsWith('.reg'))).toEqual([]);
    expect(all.registry.length).toBe(2);
    sb.ok(['delete', 'b1']);
  }, 180_000);

  it('c: an MSI installed in a VM: files and keys in the diff, no noise; delete leaves the host as it was; commit of one key', () => {
    const prefixBefore = treeDigest(prefix);
    sb.ok(['create', 'c1']);
    sb.ok(['run', 'c1', '--', 'wine', 'msiexec', '/i', msi, '/qn'], { env: WINE_ENV });
    const d = sb.json<{ changes: { kind: string; path: string }[]; registry: RegChange[] }>(['diff', 'c1']);
    const files = d.changes.map((c) => c.path);
    expect(files).toContain(path.join(prefix, 'drive_c/Program Files (x86)/FvmRegTest/readme.txt'));
    expect(files.some((f) => f.startsWith(path.join(prefix, 'drive_c/windows/Installer/')) && f.endsWith('.msi'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.reg'))).toEqual([]);

    const reg = sb.json<{ changes: RegChange[] }>(['reg', 'diff', 'c1']).changes;
    const keys = new Set(reg.map((c) => c.key));
    expect(keys).toContain('HKLM\\Software\\Wow6432Node\\FvmRegTest');
    expect(keys).toContain('HKLM\\Software\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{7D3A1C55-0B2E-4F61-9C3D-2A4B5C6D7E80}');
    expect(keys).toContain('HKCU\\Software\\FvmRegTest');
    const greeting = reg.find((c) => c.key === 'HKCU\\Software\\FvmRegTest' && c.value === 'Greeting') as RegChange & { after: { data: string } };
    expect(greeting.after.data).toBe('héllo wörld');
    // No noise: Wine's device time stamps, font cache and the like are not the installer's.
    for (const k of keys) expect(k).not.toMatch(/DriverDate|\\Wine\\Fonts|\\Enum\\|DeviceClasses|NetworkCards/i);
    const noisy = sb.json<{ changes: RegChange[] }>(['reg', 'diff', 'c1', '--noise']).changes;
    expect(noisy.length).toBeGreaterThanOrEqual(reg.length);

    // A copy, then deleting the original: the host prefix is byte-identical.
    sb.ok(['copy', 'c1', 'c2']);
    sb.ok(['delete', 'c1']);
    expect(diffDigests(prefixBefore, treeDigest(prefix))).toEqual([]);

    // Commit only the HKCU key of the copy: exactly that key reaches the host's user.reg.
    const userBefore = fs.readFileSync(userReg, 'utf8');
    const systemBefore = fs.readFileSync(systemReg);
    const c = sb.json<{ registry: RegChange[]; applied: unknown[] }>(['commit', 'c2', '--key', 'HKCU\\Software\\FvmRegTest']);
    expect(c.applied).toEqual([]);
    expect(new Set(c.registry.map((x) => x.key))).toEqual(new Set(['HKCU\\Software\\FvmRegTest']));
    const userAfter = fs.readFileSync(userReg, 'utf8');
    expect(fs.readFileSync(systemReg).equals(systemBefore)).toBe(true);
    const added = userAfter.split('\n').filter((l) => !userBefore.split('\n').includes(l));
    expect(added[0]).toMatch(/^\[Software\\\\FvmRegTest\] \d+$/);
    expect(added).toContain('"Installed"="yes"');
    expect(added.some((l) => l.startsWith('"Greeting"='))).toBe(true);
    expect(added.every((l) => /^\[Software\\\\FvmRegTest\]|^#time=|^"Greeting"|^"Installed"|^$/.test(l))).toBe(true);
    // The other keys are still only in the VM.
    const left = sb.json<{ changes: RegChange[] }>(['reg', 'diff', 'c2']).changes;
    expect(left.some((x) => x.key === 'HKCU\\Software\\FvmRegTest')).toBe(false);
    expect(left.some((x) => x.key === 'HKLM\\Software\\Wow6432Node\\FvmRegTest')).toBe(true);
    sb.ok(['uncommit', 'c2']);
    expect(fs.readFileSync(userReg, 'utf8')).toBe(userBefore);
    // Committed again, the host's own Wine reads the key.
    sb.ok(['commit', 'c2', '--key', 'HKCU\\Software\\FvmRegTest']);
    const q = spawnSync('sh', ['-c', 'wine reg query "HKCU\\Software\\FvmRegTest"; wineserver -w'], { env: sb.env(WINE_ENV), encoding: 'utf8' });
    expect(q.stdout).toMatch(/Installed\s+REG_SZ\s+yes/);
    sb.ok(['delete', 'c2']);
  }, 240_000);

  it('d: a key deleted in the VM is logged and gone from its view; commit deletes it on the host; uncommit restores it', () => {
    hostWine(['wine', 'reg', 'add', 'HKCU\\Software\\DeleteMe\\Sub', '/v', 'X', '/d', 'x']);
    const before = fs.readFileSync(userReg);
    sb.ok(['create', 'd1']);
    sb.ok(['run', 'd1', '--', 'wine', 'reg', 'delete', 'HKCU\\Software\\DeleteMe', '/f'], { env: WINE_ENV });
    const id = sb.json<{ id: string }>(['info', 'd1']).id;
    const delta = fs.readFileSync(path.join(sb.fvmHome, 'vms', id, 'registry', 'p1', 'delta-user.reg'), 'utf8');
    expect(delta).toContain('-[Software\\\\DeleteMe]');
    const q = sb.fvm(['reg', 'query', 'd1', 'HKCU\\Software\\DeleteMe']);
    expect(q.status).toBe(1);
    expect(q.stderr).toContain('REGISTRY_KEY_NOT_FOUND');
    const r = sb.fvm(['run', 'd1', '--', 'wine', 'reg', 'query', 'HKCU\\Software\\DeleteMe'], { env: WINE_ENV });
    expect(r.status).not.toBe(0);
    expect(fs.readFileSync(userReg).equals(before)).toBe(true);

    sb.ok(['commit', 'd1']);
    expect(fs.readFileSync(userReg, 'utf8')).not.toContain('DeleteMe');
    sb.ok(['uncommit', 'd1']);
    expect(fs.readFileSync(userReg).equals(before)).toBe(true);
    sb.ok(['delete', 'd1']);
  }, 180_000);

  it('fvm reg add, export and import work on the VM view only; a host wineserver makes commit REGISTRY_BUSY', async () => {
    const before = fs.readFileSync(userReg);
    sb.ok(['create', 'e1']);
    sb.ok(['reg', 'add', 'e1', 'HKCU\\Software\\Cli\\Deep', '--value', 'N', '--type', 'REG_DWORD', '--data', '0x2a']);
    sb.ok(['reg', 'add', 'e1', 'HKCU\\Software\\Cli', '--value', 'Multi', '--type', 'REG_MULTI_SZ', '--data', 'a\\0b']);
    const bad = sb.fvm(['reg', 'add', 'e1', 'HKCU\\Software\\Cli', '--value', 'N', '--type', 'REG_DWORD', '--data', 'lots']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('INVALID_ARGUMENT');
    const file = path.join(sb.dir, 'cli.reg');
    sb.ok(['reg', 'export', 'e1', 'HKCU\\Software\\Cli', file]);
    const text = Buffer.from(fs.readFileSync(file)).subarray(2).toString('utf16le');
    expect(text).toContain('[HKEY_CURRENT_USER\\Software\\Cli\\Deep]\r\n"N"=dword:0000002a');
    // Wine in the VM sees what `fvm reg add` wrote.
    const r = sb.ok(['run', 'e1', '--', 'wine', 'reg', 'query', 'HKCU\\Software\\Cli\\Deep'], { env: WINE_ENV });
    expect(r.stdout).toMatch(/N\s+REG_DWORD\s+0x2a/);
    // Import into a second VM: the same view there.
    sb.ok(['create', 'e2']);
    sb.ok(['reg', 'import', 'e2', file]);
    const q = sb.json<{ keys: RegKeyInfo[] }>(['reg', 'query', 'e2', 'HKCU\\Software\\Cli', '--recursive']);
    expect(q.keys.map((k) => k.key)).toEqual(['HKCU\\Software\\Cli', 'HKCU\\Software\\Cli\\Deep']);
    expect(q.keys[0].values.find((v) => v.name === 'Multi')?.data).toBe('a\\0b');
    const broken = path.join(sb.dir, 'broken.reg');
    fs.writeFileSync(broken, 'this is not a reg file\n');
    const bi = sb.fvm(['reg', 'import', 'e2', broken]);
    expect(bi.status).toBe(1);
    expect(bi.stderr).toContain('REGISTRY_PARSE');
    expect(fs.readFileSync(userReg).equals(before)).toBe(true);

    // A host wineserver for the prefix: commit refuses and changes nothing.
    const server = spawn('wineserver', ['-p', '60'], { env: sb.env(WINE_ENV), stdio: 'ignore' });
    try {
      await new Promise((res) => setTimeout(res, 1500));
      const busy = sb.fvm(['commit', 'e2']);
      expect(busy.status).toBe(1);
      expect(busy.stderr).toContain('REGISTRY_BUSY');
      expect(fs.readFileSync(userReg).equals(before)).toBe(true);
    } finally {
      spawnSync('wineserver', ['-k'], { env: sb.env(WINE_ENV) });
      spawnSync('wineserver', ['-w'], { env: sb.env(WINE_ENV) });
      await new Promise<void>((res) => (server.exitCode !== null ? res() : server.on('exit', () => res())));
    }
    sb.ok(['commit', 'e2']);
    expect(fs.readFileSync(userReg, 'utf8')).toContain('[Software\\\\Cli\\\\Deep]');
    sb.ok(['uncommit', 'e2']);
    expect(fs.readFileSync(userReg).equals(before)).toBe(true);
    sb.ok(['delete', 'e1']);
    sb.ok(['delete', 'e2']);
  }, 240_000);
  it('a prefix made inside a VM is followed, shown by name, and committed as new files', () => {
    const made = path.join(sb.home, 'made-in-vm');
    sb.ok(['create', 'f1']);
    const env = { ...WINE_ENV, WINEPREFIX: made };
    sb.ok(['run', 'f1', '--env', `WINEPREFIX=${made}`, '--', 'sh', '-c', 'wineboot -i && wine reg add "HKCU\\Software\\MadeHere" /v M /d yes'], { env });
    expect(fs.existsSync(made)).toBe(false);
    const q = sb.json<{ prefix: string; keys: RegKeyInfo[] }>(['reg', 'query', 'f1', 'HKCU\\Software\\MadeHere', '--prefix', made]);
    expect(q.prefix).toBe(made);
    expect(q.keys[0].values).toEqual([{ name: 'M', type: 'REG_SZ', data: 'yes' }]);
    const d = sb.json<{ changes: { path: string }[]; registry: RegChange[] }>(['diff', 'f1']);
    expect(d.changes.map((c) => c.path)).toContain(path.join(made, 'user.reg'));
    expect(d.registry.filter((c) => c.prefix === made)).toEqual([]);
    sb.ok(['commit', 'f1']);
    expect(fs.readFileSync(path.join(made, 'user.reg'), 'utf8')).toContain('[Software\\\\MadeHere]');
    sb.ok(['delete', 'f1']);
    fs.rmSync(made, { recursive: true, force: true });
  }, 240_000);

  it('a Wine program still running in the VM makes registry writes REGISTRY_BUSY; stop saves its registry', () => {
    sb.ok(['create', 'g1']);
    // A persistent wineserver stands for a Wine program left running.
    sb.ok(['run', 'g1', '--', 'sh', '-c', 'wineserver -p 120 && wine reg add "HKCU\\Software\\Lingering" /v L /d 1'], { env: WINE_ENV });
    const busy = sb.fvm(['reg', 'add', 'g1', 'HKCU\\Software\\Other']);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain('REGISTRY_BUSY');
    sb.ok(['stop', 'g1']);
    const q = sb.json<{ keys: RegKeyInfo[] }>(['reg', 'query', 'g1', 'HKCU\\Software\\Lingering']);
    expect(q.keys[0].values).toEqual([{ name: 'L', type: 'REG_SZ', data: '1' }]);
    sb.ok(['reg', 'add', 'g1', 'HKCU\\Software\\Other']);
    sb.ok(['delete', 'g1']);
  }, 240_000);
});
