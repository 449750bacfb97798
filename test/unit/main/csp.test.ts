import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, RENDERER_CSP_HEADER } from '../../../src/shared/csp.js';

const html = readFileSync(path.resolve(import.meta.dirname, '../../../renderer/index.html'), 'utf8');

describe('Content-Security-Policy', () => {
  it('renderer/index.html states exactly the shared policy', () => {
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    expect(meta?.[1]).toBe(RENDERER_CSP);
  });

  it('allows no inline code, no eval and nothing remote', () => {
    for (const policy of [RENDERER_CSP, RENDERER_CSP_HEADER]) {
      expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self'");
      expect(policy).toContain("object-src 'none'");
    }
    expect(RENDERER_CSP_HEADER).toContain("frame-ancestors 'none'");
  });

  it('loads no inline script or style in the page itself', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style/);
  });
});
