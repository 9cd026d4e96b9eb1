/**
 * Response headers that keep browsers from misusing the gateway's answers: never sniffed as
 * another type, never framed, no Referer leaking a URL, and a Content-Security-Policy: deny-all
 * for the API (JSON is never a document to render), and for the dashboard (where users paste their
 * bearer token) self-hosted script, style and fetches only, no inline code, no form posts.
 */

/** Every answer of the gateway. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

/**
 * The dashboard's files: what Vite's build (one module script, one stylesheet, same origin) and
 * Chart.js/Cytoscape (canvas drawing, styles set through the DOM, never inline) need, nothing more.
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  ...API_SECURITY_HEADERS,
  'content-security-policy': [
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    "connect-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; '),
};
