import { describe, expect, it } from 'vitest';
import { NOISE_RULES, isNoise, noiseRuleFor } from '../../../src/registry/reg-noise.js';

const DISPLAY = ['System', 'CurrentControlSet', 'Control', 'Class', '{4D36E968-E325-11CE-BFC1-08002BE10318}'];

describe('noise table', () => {
  it('matches DriverDateData of any device, but not the device key or its other values', () => {
    expect(isNoise('system.reg', [...DISPLAY, '0000'], 'DriverDateData')).toBe(true);
    expect(isNoise('system.reg', ['system', 'currentcontrolset', 'control', 'class', '{x}', '0001'], 'driverdatedata')).toBe(true);
    expect(isNoise('system.reg', [...DISPLAY, '0000'], 'DriverDesc')).toBe(false);
    expect(isNoise('system.reg', [...DISPLAY, '0000'])).toBe(false);
    expect(isNoise('user.reg', [...DISPLAY, '0000'], 'DriverDateData')).toBe(false);
  });

  it("covers Wine's font cache and menu files subtrees, keys and values alike", () => {
    expect(isNoise('user.reg', ['Software', 'Wine', 'Fonts'], 'Codepages')).toBe(true);
    expect(isNoise('user.reg', ['Software', 'Wine', 'Fonts', 'External Fonts'])).toBe(true);
    expect(isNoise('user.reg', ['Software', 'Wine', 'MenuFiles'], 'x')).toBe(true);
    expect(isNoise('user.reg', ['Software', 'Wine', 'FontsX'])).toBe(false);
    expect(noiseRuleFor('system.reg', ['Software', 'Microsoft', 'Windows NT', 'CurrentVersion', 'NetworkCards', '1'])?.reason).toMatch(/network adapter/);
  });

  it('is one table with a reason for every rule', () => {
    expect(NOISE_RULES.length).toBe(7);
    expect(NOISE_RULES.every((r) => r.reason.length > 10)).toBe(true);
  });
});
