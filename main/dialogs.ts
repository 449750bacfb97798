/** Native dialogs the renderer may ask for: it never sees the file system, only the chosen path. */
import { BrowserWindow, dialog } from 'electron';
import type { OpenDialogOptions, SaveDialogOptions, WebContents } from 'electron';

export interface HostDialogs {
  /** A program or installer to run in a VM; null when cancelled. */
  pickInstaller(contents: WebContents): Promise<string | null>;
  /** Where to write an exported VM; null when cancelled. */
  pickExportTarget(contents: WebContents, suggestedName?: string): Promise<string | null>;
}

/** Extensions the run dialog knows how to start (see renderer/lib/installer-command.ts). */
export const INSTALLER_EXTENSIONS = ['sh', 'AppImage', 'appimage', 'deb', 'msi', 'exe'];

export function createHostDialogs(): HostDialogs {
  return {
    async pickInstaller(contents) {
      const options: OpenDialogOptions = {
        title: 'Choose a program or installer to run in the VM',
        buttonLabel: 'Choose',
        properties: ['openFile', 'dontAddToRecent'],
        filters: [
          { name: 'Scripts and installers', extensions: INSTALLER_EXTENSIONS },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const owner = BrowserWindow.fromWebContents(contents);
      const result = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async pickExportTarget(contents, suggestedName) {
      const options: SaveDialogOptions = {
        title: 'Export the VM to a file',
        buttonLabel: 'Export',
        defaultPath: suggestedName,
        properties: ['showOverwriteConfirmation', 'createDirectory', 'dontAddToRecent'],
      };
      const owner = BrowserWindow.fromWebContents(contents);
      const result = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
      return result.canceled ? null : (result.filePath ?? null);
    },
  };
}
