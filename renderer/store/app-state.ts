/** The store's full state type and the signature every slice shares. */
import type { StoreApi } from 'zustand/vanilla';
import type { Bridge } from '../bridge/bridge.js';
import type { ChangesSlice } from './changes-slice.js';
import type { DetailSlice } from './detail-slice.js';
import type { ProcessesSlice } from './processes-slice.js';
import type { RegistryBrowseSlice } from './registry-browse-slice.js';
import type { RegistrySlice } from './registry-slice.js';
import type { ReportSlice } from './report-slice.js';
import type { UiSlice } from './ui-slice.js';
import type { VmsSlice } from './vms-slice.js';

export type AppState = VmsSlice & DetailSlice & ProcessesSlice & ChangesSlice & RegistrySlice & RegistryBrowseSlice & ReportSlice & UiSlice;

export type AppStore = StoreApi<AppState>;

export interface SliceContext {
  readonly set: AppStore['setState'];
  readonly get: AppStore['getState'];
  readonly bridge: Bridge;
}

export type SliceCreator<T> = (context: SliceContext) => T;
