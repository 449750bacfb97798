// Real Wine 8.0 hives (research/wine-reg-format.md §11), read once per test file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FIXTURE_DIR = path.resolve(import.meta.dirname, '../../fixtures/wine-reg');

/** The small fixtures, stored as they are. */
export const PLAIN_FIXTURES = ['system-sample.reg', 'user-edge-cases.reg', 'fresh-settled/user.reg', 'fresh-settled/userdef.reg'] as const;

export function fixtureText(name: string): string {
  return readFileSync(path.join(FIXTURE_DIR, name), 'utf8');
}

let system: string | undefined;

/** The fresh system.reg (1.7 MB), decompressed with xz as the brief asks. */
export function systemRegText(): string {
  system ??= execFileSync('xz', ['-dc', path.join(FIXTURE_DIR, 'fresh-settled/system.reg.xz')], { maxBuffer: 64 << 20 }).toString('utf8');
  return system;
}

/** Every fixture by name, system.reg included. */
export function allFixtures(): [string, string][] {
  return [...PLAIN_FIXTURES.map((n): [string, string] => [n, fixtureText(n)]), ['fresh-settled/system.reg', systemRegText()]];
}
