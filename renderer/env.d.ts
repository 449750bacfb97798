import type { FvmApi } from '../src/shared/bridge.js';

declare global {
  interface Window {
    /** Present only in the Electron window (preload/index.ts). */
    readonly fvm?: FvmApi;
  }
}

export {};
