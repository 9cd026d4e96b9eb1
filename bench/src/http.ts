/**
 * The HTTP path: one in-process gateway per organisation (the same startGateway `npm start`
 * runs), bearer tokens for each user, and a timed JSON request.
 */
import { loadConfig, startGateway, tokenHash, type RunningGateway } from '@impact-ledger/gateway';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NetworkInfo } from '../../test/helpers/network';
import type { Outcome } from './stats';

const USERS = ['Admin', 'User1', 'User2', 'User3', 'User4', 'User5'] as const;

export interface HttpGateways {
  /** Sends a JSON request as `user` of org `org` to that org's gateway; outcome with latency. */
  send(org: number, user: string, method: string, route: string, body?: unknown): Promise<Outcome & { status?: number; json?: Record<string, unknown> }>;
  /** Transactions the gateways submitted (il_fabric_commit_seconds_count, retries included). */
  submittedTransactions(): Promise<number>;
  close(): Promise<void>;
}

/** Starts one gateway per organisation of `net` (network.json `networkJson`), in this process. */
export async function startGateways(net: NetworkInfo, networkJson: string, dir: string): Promise<HttpGateways> {
  const running: { gateway: RunningGateway; tokens: Map<string, string> }[] = [];
  for (const [index, org] of net.orgs.entries()) {
    const orgDir = path.join(dir, `org${index + 1}`);
    mkdirSync(orgDir, { recursive: true });
    const tokens = new Map(USERS.map((u) => [u, `bench-${index + 1}-${u}-${randomBytes(16).toString('hex')}`]));
    const keys = USERS.map((u) => ({ sha256: tokenHash(tokens.get(u) ?? ''), user: `${u}@${org.domain}` }));
    writeFileSync(path.join(orgDir, 'api-keys.json'), JSON.stringify({ keys }));
    const config = loadConfig({
      IL_GATEWAY_MSP_ID: org.mspId, IL_NETWORK_JSON: networkJson, IL_GATEWAY_PORT: '0',
      IL_GATEWAY_API_KEYS: path.join(orgDir, 'api-keys.json'), IL_GATEWAY_DATA_DIR: path.join(orgDir, 'data'),
      IL_NETWORK_SECRET: 'bench-network-secret',
    });
    running.push({ gateway: await startGateway(config, { logger: false }), tokens });
  }
  return {
    async send(org, user, method, route, body) {
      const target = running[org - 1];
      if (!target) throw new Error(`no gateway for org ${org}`);
      const started = performance.now();
      try {
        const response = await fetch(`${target.gateway.url}${route}`, {
          method,
          headers: {
            authorization: `Bearer ${target.tokens.get(user) ?? ''}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': randomBytes(12).toString('hex') }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await response.text();
        const ms = performance.now() - started;
        const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        if (response.status < 300) return { ok: true, ms, status: response.status, json };
        const code = typeof json.code === 'string' ? json.code : '';
        return { ok: false, mvcc: code === 'TRANSACTION_INVALID' || code === 'CONFLICT', error: `${method} ${route} ${response.status} ${text.slice(0, 300)}`, status: response.status };
      } catch (error) {
        return { ok: false, mvcc: false, error: `${method} ${route}: ${String(error)}` };
      }
    },
    async submittedTransactions() {
      let total = 0;
      for (const r of running) {
        const text = await (await fetch(`${r.gateway.url}/metrics`)).text();
        const match = /^il_fabric_commit_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(text);
        total += match ? Number(match[1]) : 0;
      }
      return total;
    },
    async close() {
      await Promise.all(running.map((r) => r.gateway.close()));
    },
  };
}
