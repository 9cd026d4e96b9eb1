/**
 * The funder dashboard at `/dashboard/`: the static files built from gateway/web by Vite into
 * gateway/dist-web. The files are public (they hold no data); the page asks for the API token and
 * every datum it shows comes from the authenticated /v1 API. Served with a strict
 * Content-Security-Policy and no framing (security-headers.ts).
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARD_SECURITY_HEADERS } from '../security-headers.js';
import type { TypedApp } from './context.js';

/** Where the built dashboard lives (gateway/dist-web, next to gateway/dist). */
export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist-web');

/** Serves the dashboard when it was built; otherwise /dashboard/ answers 404 like any unknown route. */
export async function registerDashboard(app: TypedApp, root = DASHBOARD_DIR): Promise<void> {
  if (!existsSync(path.join(root, 'index.html'))) return;
  await app.register(async (dashboard) => {
    // the static files are the only public routes besides the operations ones; marked here, in
    // this plugin's own scope, so no other route can become public by accident
    dashboard.addHook('onRoute', (routeOptions) => {
      routeOptions.config = { ...routeOptions.config, public: true };
    });
    dashboard.addHook('onSend', async (_request, reply, payload) => {
      void reply.headers(DASHBOARD_SECURITY_HEADERS);
      return payload;
    });
    await dashboard.register(fastifyStatic, { root, prefix: '/dashboard/', redirect: true, schemaHide: true, cacheControl: true, maxAge: 0 });
  });
}
