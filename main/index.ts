/**
 * Electron main process: one engine, one IPC gateway, one window.
 *
 * The app is single-instance: a second launch (the desktop entry opening an installer) hands its
 * files to the running window, which offers to run them in a new VM.
 */
import { app, dialog } from 'electron';
import type { BrowserWindow } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../src/fvm-core/engine.js';
import type { EngineApi } from '../src/shared/engine-api.js';
import { toErrorData } from '../src/shared/errors.js';
import { createHostDialogs } from './dialogs.js';
import { openIpcGateway } from './ipc-gateway.js';
import type { IpcGateway } from './ipc-gateway.js';
import { filesToOpen } from './launch-args.js';
import { createMainWindow, hardenContents, hardenSession, isAppUrl, loadRenderer } from './window.js';
import type { RendererSource } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const preloadPath = path.join(here, '../preload/index.cjs');
const iconPath = path.join(here, '../../resources/icons/512x512.png');
// electron-vite sets ELECTRON_RENDERER_URL only in `electron-vite dev`.
const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const source: RendererSource = devUrl ? { kind: 'url', url: devUrl } : { kind: 'file', path: path.join(here, '../renderer/index.html') };
/** argv[0] is the executable; an unpackaged app also has its directory in argv[1]. */
const leadingArgs = process.defaultApp ? 2 : 1;

let engine: EngineApi | null = null;
let gateway: IpcGateway | null = null;
let mainWindow: BrowserWindow | null = null;
let engineClosed = false;

function openWindow(): BrowserWindow {
  const win = createMainWindow(preloadPath, source, iconPath);
  gateway?.attach(win.webContents);
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  loadRenderer(win, source).catch((err: unknown) => {
    dialog.showErrorBox('FVM could not load its window', toErrorData(err).message);
  });
  return win;
}

function offerFiles(files: readonly string[]): void {
  for (const file of files) gateway?.pushOpenFile(file);
}

async function start(): Promise<void> {
  hardenSession();
  try {
    engine = openEngine({ home: process.env.FVM_HOME || undefined });
  } catch (err) {
    const e = toErrorData(err);
    dialog.showErrorBox(`FVM: ${e.code}`, `${e.message}\n\n${e.hint}`);
    app.exit(1);
    return;
  }
  gateway = openIpcGateway({ engine, dialogs: createHostDialogs(), isAppUrl: (url) => isAppUrl(source, url) });
  mainWindow = openWindow();
  offerFiles(filesToOpen(process.argv, leadingArgs, process.cwd()));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv, cwd) => {
    if (!mainWindow) mainWindow = openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    offerFiles(filesToOpen(argv, leadingArgs, cwd));
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, source));
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (engineClosed || !engine) return;
    // VMs outlive the app by design; closing only releases what the engine holds.
    event.preventDefault();
    gateway?.close();
    engine
      .close()
      .catch((err: unknown) => console.error(`fvm: closing the engine: ${toErrorData(err).message}`))
      .finally(() => {
        engineClosed = true;
        app.quit();
      });
  });
  app.whenReady().then(start, (err: unknown) => {
    console.error(`fvm: ${toErrorData(err).message}`);
    app.exit(1);
  });
}
