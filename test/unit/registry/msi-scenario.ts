// A system.reg as Wine would write it after an x64 MSI install (research/wine.md §4.3), built from
// the fresh fixture with the model alone, so that harvest and diff are checked against an
// independent construction rather than against the delta functions they are built on.
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { dwordValue, makeKey, stringValue, valueFromBytes, withValues, type RegHive, type RegKey } from '../../../src/registry/reg-model.js';
import { compareKeyPaths, keyId } from '../../../src/registry/reg-names.js';

export const T = 0x1dd7bd97efb7aaen;
const UNINSTALL = ['Software', 'Microsoft', 'Windows', 'CurrentVersion', 'Uninstall'];
export const PRODUCT = [...UNINSTALL, '{2C1B6E2A-9F3E-4D7B-8A61-5E0F4C3B2A10}'];
export const APP = ['Software', 'Wow6432Node', 'FvmAcceptance'];
export const DISPLAY0 = ['System', 'CurrentControlSet', 'Control', 'Class', '{4D36E968-E325-11CE-BFC1-08002BE10318}', '0000'];

function id(path: readonly string[]): string {
  return keyId(path);
}

/** The host after the install: 2 keys added, the Uninstall leaf now implicit, .ai deleted, a value gone, DriverDateData new. */
export function afterInstall(host: RegHive): RegHive {
  const drop = new Set([id(UNINSTALL), id(['Software', 'Classes', '.ai'])]);
  const keys: RegKey[] = [];
  for (const k of host.keys) {
    const kid = id(k.path);
    if (drop.has(kid)) continue;
    if (kid === id(DISPLAY0)) {
      keys.push(withValues(k, k.values.map((v) => (v.name === 'DriverDateData' ? valueFromBytes(v.name, 3, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)) : v)), T));
    } else if (kid === id(['Software', 'Classes', '.avi'])) {
      keys.push(withValues(k, k.values.filter((v) => v.name !== 'Content Type'), T));
    } else {
      keys.push(k);
    }
  }
  keys.push(makeKey(APP, [dwordValue('Build', 42), stringValue('InstallDir', 'C:\\Program Files (x86)\\FvmAcceptance\\'), stringValue('Version', '1.0.0')], T));
  keys.push(makeKey(PRODUCT, [stringValue('DisplayName', 'FvmAcceptanceApp'), stringValue('UninstallString', 'MsiExec.exe /I{2C1B6E2A}', 2)], T));
  keys.sort((a, b) => compareKeyPaths(a.path, b.path));
  // Through text, as Wine would write it and FVM read it back.
  return parseWineReg(serializeWineReg({ ...host, keys }));
}
