/**
 * The one place where pushes from the engine enter the store. Called once at start-up; it
 * subscribes every channel, then tells the bridge it is ready (pushes were held until now), then
 * loads the list, so nothing that happened in between is missed.
 */
import type { Bridge } from '../bridge/bridge.js';
import type { AppStore } from './app-state.js';

const WINE_HIVE = /\/(?:system|user|userdef)\.reg$/;

export function connectEvents(bridge: Bridge, store: AppStore): () => void {
  const s = store.getState;
  const unsubscribers = [
    bridge.onVmState((e) => {
      s().applyVmState(e);
      if (e.state === 'stopped' && e.vm === s().changes.vm) s().scheduleDiff();
      if (e.state === 'stopped') s().scheduleReport(e.vm);
      // Stopping harvests what Wine saved; starting shows Wine the VM's view.
      s().scheduleRegistry(e.vm);
    }),
    bridge.onProcessStarted((e) => s().receiveProcessStarted(e)),
    bridge.onProcessExited((e) => {
      s().receiveProcessExited(e);
      // A program that ended has written all it will: show its changes.
      if (e.vm === s().changes.vm) s().scheduleDiff();
      s().scheduleReport(e.vm);
      s().scheduleRegistry(e.vm);
    }),
    bridge.onProcessOutput((e) => s().receiveProcessOutput(e)),
    bridge.onFsChanged((e) => {
      s().receiveFsChanged(e);
      s().scheduleRefreshVms(1500);
      // A wineserver saved a hive: its keys are harvested on the next look.
      if (e.changes.some((c) => WINE_HIVE.test(c.path))) s().scheduleRegistry(e.vm);
    }),
    bridge.onOpProgress((e) => s().receiveProgress(e)),
  ];
  if (bridge.onOpenFile) {
    unsubscribers.push(bridge.onOpenFile(({ path }) => s().openDialog({ kind: 'create', installer: path })));
  }
  if (bridge.onConnectionLost) {
    unsubscribers.push(bridge.onConnectionLost((error) => s().setConnectionLost(error)));
  }
  // Whatever changed the selected VM's changes (the live feed, a re-diff, a commit) dates its report.
  unsubscribers.push(
    store.subscribe((state, previous) => {
      if (state.changes.version !== previous.changes.version && state.changes.vm !== null) state.scheduleReport(state.changes.vm);
    }),
  );
  bridge.ready();
  void s().refreshVms();
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
