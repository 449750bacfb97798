/**
 * The renderer's Content-Security-Policy, one string for every place that states it: the meta tag
 * in renderer/index.html (a unit test keeps them equal), the Electron session and the web server.
 *
 * No inline script or style elements, no eval, no remote anything; `connect-src 'self'` lets the
 * browser bridge reach its own WebSocket (same host and port) and nothing else.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/** Directives that only work as an HTTP header (a meta tag ignores them). */
export const RENDERER_CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`;
