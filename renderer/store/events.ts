/**
 * The one place where pushes from the engine enter the store. Called once at start-up; it
 * subscribes every channel, then tells the bridge it is ready (pushes were held until now), then
 * loads the list, so nothing that happened in between is missed.
 */
import type { Bridge } from '../bridge/bridge.js';
import type { AppStore } from './app-state.js';

export function connectEvents(bridge: Bridge, store: AppStore): () => void {
  const s = store.getState;
  const unsubscribers = [
    bridge.onVmState((e) => {
      s().applyVmState(e);
      if (e.state === 'stopped' && e.vm === s().changes.vm) s().scheduleDiff();
    }),
    bridge.onProcessStarted((e) => s().receiveProcessStarted(e)),
    bridge.onProcessExited((e) => {
      s().receiveProcessExited(e);
      // A program that ended has written all it will: show its changes.
      if (e.vm === s().changes.vm) s().scheduleDiff();
    }),
    bridge.onProcessOutput((e) => s().receiveProcessOutput(e)),
    bridge.onFsChanged((e) => {
      s().receiveFsChanged(e);
      s().scheduleRefreshVms(1500);
    }),
    bridge.onOpProgress((e) => s().receiveProgress(e)),
  ];
  if (bridge.onOpenFile) {
    unsubscribers.push(bridge.onOpenFile(({ path }) => s().openDialog({ kind: 'create', installer: path })));
  }
  if (bridge.onConnectionLost) {
    unsubscribers.push(bridge.onConnectionLost((error) => s().setConnectionLost(error)));
  }
  bridge.ready();
  void s().refreshVms();
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
