/**
 * The HTTP server's connection limits: Node's request, headers and keep-alive timeouts (checked
 * every second or faster rather than Node's default 30 s, so a slow client is dropped close to its
 * deadline), and a cap on the concurrent connections of one client IP.
 */
import type { Server } from 'node:net';
import type { ConnectionLimits } from './config.js';

/** The limits when none are configured (the configuration's defaults). */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxPerIp: 256 };

/** Options of Node's `http(s).createServer` for `limits`. */
export function nodeServerOptions(limits: ConnectionLimits): { requestTimeout: number; headersTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return {
    // Node applies requestTimeout to receiving the request only: once a request is complete (a
    // GET /v1/events at once) its connection is no longer checked, so event streams live on
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** Closes at once any connection beyond `max` concurrent ones from the same remote address. */
export function capConnectionsPerIp(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    const count = (open.get(ip) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(ip, count);
    socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left > 0) open.set(ip, left);
      else open.delete(ip);
    });
  });
}
