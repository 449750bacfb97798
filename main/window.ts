/**
 * The main window and the rules every renderer lives under: context isolation, the sandbox, no
 * Node, a strict CSP, no navigation away from our document, no new windows, no permissions.
 */
import { BrowserWindow, session } from 'electron';
import type { WebContents } from 'electron';
import { pathToFileURL } from 'node:url';
import { RENDERER_CSP_HEADER } from '../src/shared/csp.js';

/** Where the renderer document comes from: the built file, or electron-vite's dev server. */
export type RendererSource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'url'; readonly url: string };

/** True when `url` is our renderer document (any hash or query), nothing else. */
export function isAppUrl(source: RendererSource, url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (source.kind === 'file') {
    const expected = pathToFileURL(source.path);
    return parsed.protocol === 'file:' && parsed.host === '' && parsed.pathname === expected.pathname;
  }
  return parsed.origin === new URL(source.url).origin;
}

/** Session-wide defences; call once after `app` is ready. */
export function hardenSession(): void {
  const ses = session.defaultSession;
  // FVM needs no camera, notifications, clipboard-read, geolocation or anything else.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP_HEADER] } });
  });
}

/** Applies to every web contents the app ever creates, including ones we did not expect. */
export function hardenContents(contents: WebContents, source: RendererSource): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(source, url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(source, url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(preloadPath: string, source: RendererSource, iconPath?: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1240,
    height: 800,
    minWidth: 820,
    minHeight: 520,
    show: false,
    title: 'FVM',
    icon: iconPath,
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  return win;
}

export async function loadRenderer(win: BrowserWindow, source: RendererSource): Promise<void> {
  if (source.kind === 'file') await win.loadFile(source.path);
  else await win.loadURL(source.url);
}
