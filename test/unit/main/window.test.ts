import { describe, expect, it, vi } from 'vitest';

const created = vi.hoisted(() => ({ options: [] as unknown[] }));

vi.mock('electron', () => {
  class BrowserWindow {
    constructor(options: unknown) {
      created.options.push(options);
    }
    once() {
      return this;
    }
  }
  return { BrowserWindow, session: { defaultSession: {} } };
});

import { EventEmitter } from 'node:events';
import type { WebContents } from 'electron';
import { createMainWindow, hardenContents, isAppUrl } from '../../../main/window.js';
import type { RendererSource } from '../../../main/window.js';

const fileSource: RendererSource = { kind: 'file', path: '/opt/fvm/out/renderer/index.html' };
const devSource: RendererSource = { kind: 'url', url: 'http://localhost:5173/' };

describe('isAppUrl', () => {
  it.each([
    ['file:///opt/fvm/out/renderer/index.html', true],
    ['file:///opt/fvm/out/renderer/index.html#/changes', true],
    ['file:///opt/fvm/out/renderer/other.html', false],
    ['file:///etc/passwd', false],
    ['file://remote-host/opt/fvm/out/renderer/index.html', false],
    ['https://evil.example/opt/fvm/out/renderer/index.html', false],
    ['not a url', false],
  ])('file source: %s → %s', (url, expected) => {
    expect(isAppUrl(fileSource, url)).toBe(expected);
  });

  it('dev source: same origin only', () => {
    expect(isAppUrl(devSource, 'http://localhost:5173/index.html')).toBe(true);
    expect(isAppUrl(devSource, 'http://localhost:5174/')).toBe(false);
    expect(isAppUrl(devSource, 'http://127.0.0.1:5173/')).toBe(false);
  });
});

describe('createMainWindow', () => {
  it('isolates the renderer: context isolation, sandbox, no Node, no webview', () => {
    createMainWindow('/opt/fvm/out/preload/index.cjs', fileSource);
    const options = created.options.at(-1) as { webPreferences: Record<string, unknown> };
    expect(options.webPreferences).toMatchObject({
      preload: '/opt/fvm/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    });
  });
});

describe('hardenContents', () => {
  function harden() {
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    hardenContents(contents as unknown as WebContents, fileSource);
    return contents;
  }

  it('denies every new window', () => {
    const contents = harden();
    const handler = contents.setWindowOpenHandler.mock.calls[0][0] as (d: { url: string }) => { action: string };
    expect(handler({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
  });

  it('blocks navigation away from the renderer document, allows reloading it', () => {
    const contents = harden();
    const away = { preventDefault: vi.fn() };
    contents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const reload = { preventDefault: vi.fn() };
    contents.emit('will-navigate', reload, 'file:///opt/fvm/out/renderer/index.html');
    expect(reload.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses to attach webviews', () => {
    const contents = harden();
    const event = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', event, {}, {});
    expect(event.preventDefault).toHaveBeenCalled();
  });
});
