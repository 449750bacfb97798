/**
 * The one store: slices per domain, actions next to their state.
 *
 * A vanilla zustand store, so it is created with its Bridge (window.fvm or the WebSocket client)
 * and tested without React; components reach it through `useApp` (see use-app.ts).
 */
import { createStore } from 'zustand/vanilla';
import type { Bridge } from '../bridge/bridge.js';
import type { AppState, AppStore, SliceContext } from './app-state.js';
import { createChangesSlice } from './changes-slice.js';
import { createDetailSlice } from './detail-slice.js';
import { createProcessesSlice } from './processes-slice.js';
import { createRegistryBrowseSlice } from './registry-browse-slice.js';
import { createRegistrySlice } from './registry-slice.js';
import { createReportSlice } from './report-slice.js';
import { createUiSlice } from './ui-slice.js';
import { createVmsSlice } from './vms-slice.js';

export function createAppStore(bridge: Bridge): AppStore {
  return createStore<AppState>()((set, get) => {
    const context: SliceContext = { set, get, bridge };
    return {
      ...createVmsSlice(context),
      ...createDetailSlice(context),
      ...createProcessesSlice(context),
      ...createChangesSlice(context),
      ...createRegistrySlice(context),
      ...createRegistryBrowseSlice(context),
      ...createReportSlice(context),
      ...createUiSlice(context),
    };
  });
}
