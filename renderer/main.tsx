/** Start-up: pick the Bridge, create the store, subscribe pushes once, render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Bridge } from './bridge/bridge.js';
import { electronBridge } from './bridge/bridge.js';
import { createWebSocketBridge, socketUrlFor } from './bridge/ws-bridge.js';
import { App } from './components/App.js';
import { connectEvents } from './store/events.js';
import { createAppStore } from './store/store.js';
import { StoreContext } from './store/use-app.js';
import './styles/app.css';
import './styles/registry.css';

function pickBridge(): Bridge | null {
  if (window.fvm) return electronBridge(window.fvm);
  const url = socketUrlFor(window.location);
  return url ? createWebSocketBridge(url) : null;
}

const root = createRoot(document.getElementById('root')!);
const bridge = pickBridge();
if (!bridge) {
  root.render(
    <div className="no-bridge">
      <h1>FVM cannot reach its engine</h1>
      <p>
        Open this page through the URL that <code>fvm ui --web</code> prints: it carries the access token.
      </p>
    </div>,
  );
} else {
  const store = createAppStore(bridge);
  connectEvents(bridge, store);
  root.render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
}
