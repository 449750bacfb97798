import { describe, expect, it } from 'vitest';
import { effectiveRules, parseRule, PRESETS } from '../../../src/redirect/rules.js';
import type { FvmError } from '../../../src/shared/errors.js';

describe('rules', () => {
  it('parses MODE:PATH with ~ expansion and normalisation', () => {
    expect(parseRule('hidden:~/.ssh', '/home/u')).toEqual({ mode: 'hidden', path: '/home/u/.ssh' });
    expect(parseRule('ro:/etc/../etc/', '/home/u')).toEqual({ mode: 'ro', path: '/etc' });
    expect(parseRule('/opt/x', '/home/u')).toEqual({ mode: 'cow', path: '/opt/x' });
  });

  it('rejects unknown modes, relative paths and /', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as FvmError).code;
      }
      return 'none';
    };
    expect(code(() => parseRule('chmod:/x', '/h'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseRule('ro:x/y', '/h'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseRule('open:/', '/h'))).toBe('INVALID_ARGUMENT');
  });

  it('the untrusted preset hides credentials and turns the network off; user rules win', () => {
    expect(PRESETS.untrusted.network).toBe('none');
    const rules = effectiveRules('untrusted', [{ mode: 'ro', path: '/home/u/.ssh' }], '/home/u');
    expect(rules.find((r) => r.path === '/home/u/.ssh')).toEqual({ mode: 'ro', path: '/home/u/.ssh' });
    for (const p of ['.gnupg', '.aws', '.netrc', '.config/gh', '.mozilla', '.local/share/keyrings']) {
      expect(rules).toContainEqual({ mode: 'hidden', path: `/home/u/${p}` });
    }
    expect(effectiveRules('default', [], '/home/u')).toEqual([]);
  });
});
