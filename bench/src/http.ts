/**
 * The HTTP path: one gateway process per organisation (`node gateway/dist/server.js`, what
 * `npm start` runs), bearer tokens for each user, and a timed JSON request from this process.
 * Custody as `npm start` declares it (the gateway signs for Admin and User1; the others sign
 * their own steps here, with their key files from network.json, inside the timed request).
 */
import { DEFAULT_CHECK_THREADS, DEFAULT_CREDENTIAL_PRECHECK, followSigning, loadSigningKey, signingStepOf, tokenHash, type SigningKey } from '@impact-ledger/gateway';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, userFiles, type NetworkInfo } from '../../test/helpers/network';
import type { Outcome } from '../lib/stats';

const USERS = ['Admin', 'User1', 'User2', 'User3', 'User4', 'User5'] as const;
const CUSTODIAL: ReadonlySet<string> = new Set(['Admin', 'User1']);

export interface HttpGateways {
  /**
   * Sends a JSON request as `user` of org `org` to that org's gateway; outcome with latency, the
   * problem `code` of a refusal, and `proposals`: the transactions a client-signing caller signed
   * (more than one when the gateway retried an MVCC conflict). A body is sent with an
   * Idempotency-Key: `options.idempotencyKey`, else a fresh one.
   */
  send(org: number, user: string, method: string, route: string, body?: unknown, options?: { idempotencyKey?: string }): Promise<Outcome & SendDetails>;
  /** The gateway processes (one per org), for resource sampling. */
  processes(): { name: string; pid: number }[];
  /** Transactions the gateways submitted (il_fabric_commit_seconds_count, retries included). */
  submittedTransactions(): Promise<number>;
  /** Count and sum (seconds) of a histogram of the gateways' /metrics, added over every gateway and label. */
  histogram(name: string): Promise<{ count: number; sum: number }>;
  /** Credential-check worker threads of each gateway (IL_GATEWAY_CHECK_THREADS, or the gateway's default). */
  readonly checkThreads: number;
  /** What each gateway checks of a credential before submitting (IL_GATEWAY_CREDENTIAL_PRECHECK, or the gateway's default). */
  readonly precheck: string;
  close(): Promise<void>;
}

/** What {@link HttpGateways.send} adds to an outcome. */
export interface SendDetails { status?: number; json?: Record<string, unknown>; code?: string; proposals?: number }

interface Running { url: string; tokens: Map<string, string>; keys: Map<string, SigningKey>; child: ChildProcess }

/** Starts the gateway of org `index + 1` as a process; resolves once it answers /ready. */
async function startGatewayProcess(env: NodeJS.ProcessEnv, logFile: string): Promise<{ url: string; child: ChildProcess }> {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'server.js')], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}; see ${logFile}`);
    const url = /listening on (\S+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
    if (url !== undefined && (await fetch(`${url}/ready`).then((r) => r.ok, () => false))) return { url, child };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`gateway not ready within 60 s; see ${logFile}`);
}

/** How the gateway processes run. */
export interface GatewayProcessOptions {
  /** Each gateway writes a V8 CPU profile into `gateway.orgN/` of this folder when it stops (node --cpu-prof). */
  readonly cpuProfileDir?: string | undefined;
}

/** Starts one gateway process per organisation of `net` (network.json `networkJson`). */
export async function startGateways(net: NetworkInfo, networkJson: string, dir: string, options: GatewayProcessOptions = {}): Promise<HttpGateways> {
  if (options.cpuProfileDir !== undefined) mkdirSync(options.cpuProfileDir, { recursive: true });
  const running: Running[] = [];
  for (const [index, org] of net.orgs.entries()) {
    const orgDir = path.join(dir, `org${index + 1}`);
    mkdirSync(orgDir, { recursive: true });
    const tokens = new Map(USERS.map((u) => [u, `bench-${index + 1}-${u}-${randomBytes(16).toString('hex')}`]));
    const keys = USERS.map((u) => ({ sha256: tokenHash(tokens.get(u) ?? ''), user: `${u}@${org.domain}`, custody: CUSTODIAL.has(u) ? 'gateway' : 'client' }));
    const signingKeys = new Map(USERS.filter((u) => !CUSTODIAL.has(u)).map((u) => {
      const files = userFiles(net, index + 1, u);
      return [u, loadSigningKey(files.certPath, files.keyDir)] as const;
    }));
    writeFileSync(path.join(orgDir, 'api-keys.json'), JSON.stringify({ keys }));
    const env = {
      ...process.env, NODE_ENV: 'production',
      IL_GATEWAY_MSP_ID: org.mspId, IL_NETWORK_JSON: networkJson, IL_GATEWAY_HOST: '127.0.0.1', IL_GATEWAY_PORT: '0',
      IL_GATEWAY_API_KEYS: path.join(orgDir, 'api-keys.json'), IL_GATEWAY_DATA_DIR: path.join(orgDir, 'data'),
      IL_NETWORK_SECRET: 'bench-network-secret',
      ...(options.cpuProfileDir === undefined ? {} : { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${path.join(options.cpuProfileDir, `gateway.org${index + 1}`)}`.trim() }),
    };
    try {
      running.push({ ...(await startGatewayProcess(env, path.join(orgDir, 'gateway.log'))), tokens, keys: signingKeys });
    } catch (error) {
      for (const r of running) r.child.kill('SIGKILL');
      throw error;
    }
  }
  // A bench that fails (or exits) before close() must not leave its gateways running.
  process.once('exit', () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
  });
  const histogram = async (name: string) => {
    const total = { count: 0, sum: 0 };
    const line = new RegExp(`^${name}_(count|sum)(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm');
    for (const r of running) {
      const text = await (await fetch(`${r.url}/metrics`)).text();
      for (const [, kind, value] of text.matchAll(line)) total[kind as 'count' | 'sum'] += Number(value);
    }
    return total;
  };
  return {
    checkThreads: Number(process.env.IL_GATEWAY_CHECK_THREADS ?? DEFAULT_CHECK_THREADS),
    precheck: process.env.IL_GATEWAY_CREDENTIAL_PRECHECK || DEFAULT_CREDENTIAL_PRECHECK,
    histogram,
    processes: () => running.flatMap((r, i) => (r.child.pid === undefined ? [] : [{ name: `gateway.org${i + 1}`, pid: r.child.pid }])),
    async send(org, user, method, route, body, options) {
      const target = running[org - 1];
      if (!target) throw new Error(`no gateway for org ${org}`);
      const started = performance.now();
      const call = async (callMethod: string, callRoute: string, callBody: unknown, idempotencyKey?: string) => {
        const response = await fetch(`${target.url}${callRoute}`, {
          method: callMethod,
          headers: {
            authorization: `Bearer ${target.tokens.get(user) ?? ''}`,
            ...(callBody === undefined ? {} : { 'content-type': 'application/json' }),
            ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
          },
          ...(callBody === undefined ? {} : { body: JSON.stringify(callBody) }),
        });
        const text = await response.text();
        return { status: response.status, text, body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
      };
      try {
        const first = await call(method, route, body, body === undefined ? undefined : (options?.idempotencyKey ?? randomBytes(12).toString('hex')));
        const key = target.keys.get(user);
        let proposals = first.status === 202 ? 1 : 0;
        const response = first.status === 202 && key !== undefined ? await followSigning(first, key, async (signUrl, signature) => {
          const next = await call('POST', signUrl, signature);
          if (next.status === 202 && signingStepOf(next.body)?.step === 'proposal') proposals++;
          return next;
        }) : first;
        const { text, body: json } = response;
        const ms = performance.now() - started;
        if (response.status < 300 && response.status !== 202) return { ok: true, ms, status: response.status, json, proposals };
        const code = typeof json.code === 'string' ? json.code : '';
        return { ok: false, mvcc: code === 'TRANSACTION_INVALID' || code === 'CONFLICT' || code === 'MVCC_CONFLICT', error: `${method} ${route} ${response.status} ${text.slice(0, 300)}`, status: response.status, code, proposals };
      } catch (error) {
        return { ok: false, mvcc: false, error: `${method} ${route}: ${String(error)}` };
      }
    },
    async submittedTransactions() {
      return (await histogram('il_fabric_commit_seconds')).count;
    },
    async close() {
      await Promise.all(running.map(async ({ child }) => {
        if (child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
      }));
    },
  };
}
