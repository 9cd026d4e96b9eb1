/**
 * Fault: SIGKILL Org2's peer for about 15 s while HTTP clients keep writing and reading through
 * Org2's gateway (a separate process). The gateway fails over to another organisation's peer with
 * the same identities: its requests keep succeeding (only a conflict the gateway already retried
 * may fail), every acknowledged claim is on every peer afterwards, and once its peer is back and
 * caught up the gateway returns to it (/ready and /metrics say which peer it uses).
 */
import { createStaticDocumentLoader, credentialHash } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { claimRequest, newIssuer, signedCredential, SUBJECT_SCHEMA } from '../../e2e/scenario';
import { eventually } from '../../helpers/network';
import { getWorld } from '../../integration/world';
import { fault, gatewayTokens, gatewayUrl, loadProtocol, sleep, SteadyLoad, verifyClaimsLoad, type LoadItem } from '../load';

const loader = createStaticDocumentLoader();
const OUTAGE_MS = 15_000;

/** One HTTP request the clients sent through Org2's gateway. */
interface Sent { kind: 'write' | 'read'; startedAt: number; ms: number; status: number; code?: string }
/** One answer of GET /ready. */
interface Readiness { at: number; status: number; peer?: string; ownPeer?: boolean }

async function send(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  } catch (error) {
    return { status: 0, body: { code: error instanceof Error ? error.message : String(error) } };
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

function latencies(label: string, sent: readonly Sent[]): string {
  const ms = sent.map((s) => s.ms);
  return `${label}: ${sent.length} requests, ${sent.filter((s) => s.status >= 300).length} failed, p50 ${percentile(ms, 0.5)} ms, p95 ${percentile(ms, 0.95)} ms, max ${Math.max(0, ...ms)} ms`;
}

describe('fault: the peer under an HTTP gateway killed under load', function () {
  this.timeout(300_000);

  it('fails over to another organisation\'s peer with the same identity, and back when its peer returns', async () => {
    const w = await getWorld();
    const issuer = await newIssuer();
    const protocol = await loadProtocol(w, {
      verifiers: [w.user(1, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(3, 4).identity],
      trustedIssuers: [issuer.controller], subjectSchema: SUBJECT_SCHEMA,
    });
    const ownPeer = w.net.orgs[1]?.peer.name as string;
    const base = gatewayUrl(w.net, 2);
    const headers = { authorization: `Bearer ${gatewayTokens(w.net, 2).User1 as string}`, 'content-type': 'application/json' };
    const sent: Sent[] = [];
    const readiness: Readiness[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const at = Date.now();
        const answer = await send(`${base}/ready`, {});
        readiness.push({ at, status: answer.status, ...(typeof answer.body.peer === 'string' ? { peer: answer.body.peer } : {}), ...(typeof answer.body.ownPeer === 'boolean' ? { ownPeer: answer.body.ownPeer } : {}) });
        await sleep(250);
      }
    })();
    // Each item: one POST /v1/claims (no retry by the client), then a read of it with Min-Block-Number.
    const load = new SteadyLoad(async (): Promise<LoadItem> => {
      const credential = await signedCredential(issuer);
      const key = await credentialHash(credential, loader);
      const body = JSON.stringify(claimRequest({ id: protocol.id, version: protocol.version, category: '' }, credential));
      return {
        key,
        run: async () => {
          const startedAt = Date.now();
          const write = await send(`${base}/v1/claims`, { method: 'POST', headers: { ...headers, 'idempotency-key': randomUUID() }, body });
          sent.push({ kind: 'write', startedAt, ms: Date.now() - startedAt, status: write.status, ...(write.status >= 300 ? { code: String(write.body.code) } : {}) });
          if (write.status !== 201) throw new Error(`${write.status} ${String(write.body.code)}: ${String(write.body.detail)}`);
          const readAt = Date.now();
          const read = await send(`${base}/v1/claims/by-credential-hash/${key}`, { headers: { ...headers, 'min-block-number': String(write.body.blockNumber) } });
          sent.push({ kind: 'read', startedAt: readAt, ms: Date.now() - readAt, status: read.status, ...(read.status >= 300 ? { code: String(read.body.code) } : {}) });
          return { txId: write.body.txId as string, blockNumber: BigInt(write.body.blockNumber as number) };
        },
      };
    }, 4, 50);
    let restarted = false;
    // the outage: from the kill script's start (requests) or end (/ready) to the restart script's start
    let killAt = 0;
    let killedAt = 0;
    let restartAt = 0;
    let backAt = 0;
    try {
      await load.acknowledged(8);
      killAt = Date.now();
      killedAt = await fault(w.net, 'kill-node', ownPeer);
      await sleep(OUTAGE_MS);
      restartAt = Date.now();
      await fault(w.net, 'start-node', ownPeer);
      restarted = true;
      await eventually(`gateway.org2 back on ${ownPeer}`, 60_000, async () => readiness.some((r) => r.at > restartAt && r.status === 200 && r.peer === ownPeer));
      backAt = readiness.find((r) => r.at > restartAt && r.status === 200 && r.peer === ownPeer)?.at ?? 0;
      await load.acknowledged(8);
    } finally {
      const record = await load.stop();
      polling = false;
      await poller;
      if (!restarted) await fault(w.net, 'start-node', ownPeer).catch(() => undefined);
      const before = sent.filter((s) => s.startedAt < killAt);
      const outage = sent.filter((s) => s.startedAt >= killAt && s.startedAt < restartAt);
      const after = sent.filter((s) => s.startedAt >= restartAt);
      console.log(`      ${latencies('before the kill', before)}`);
      console.log(`      ${latencies(`${ownPeer} down (${restartAt - killAt} ms)`, outage)}`);
      console.log(`      ${latencies('after its restart', after)}`);
      console.log(`      ${latencies('in flight at the kill', sent.filter((s) => s.startedAt < killedAt && s.startedAt + s.ms > killAt))}`);
      const firstOk = outage.find((s) => s.status < 300);
      console.log(`      first success through the fallback ${firstOk === undefined ? 'never' : firstOk.startedAt + firstOk.ms - killAt} ms after the kill; back on ${ownPeer} ${backAt === 0 ? 'never' : backAt - restartAt} ms after its restart`);
      const down = readiness.filter((r) => r.at > killedAt && r.at < restartAt);
      const fallbacks = [...new Set(down.filter((r) => r.status === 200).map((r) => r.peer))];
      const notReady = down.filter((r) => r.status !== 200).length;
      console.log(`      /ready during the outage: ${down.length - notReady} ready, ${notReady} not ready; peers in use ${JSON.stringify(fallbacks)}`);
      const failures = sent.filter((s) => s.status >= 300 && !(s.status === 409 && s.code === 'MVCC_CONFLICT'));
      expect(failures.map((s) => `${s.kind} ${s.status} ${s.code ?? ''} at +${s.startedAt - killAt} ms`), 'requests through Org2\'s gateway that failed (other than a retried conflict)').to.deep.equal([]);
      expect(outage.filter((s) => s.kind === 'write' && s.status === 201).length, 'claims written through Org2\'s gateway while its peer was down').to.be.greaterThan(0);
      expect(fallbacks.length, `/ready names another organisation's peer during the outage: ${JSON.stringify(fallbacks)}`).to.be.greaterThan(0);
      expect(fallbacks, 'never its own (dead) peer').to.not.include(ownPeer);
      expect(notReady, '/ready answers 503 while another peer serves').to.equal(0);
      expect(backAt, `gateway.org2 returns to ${ownPeer}`).to.be.greaterThan(0);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics, 'the metrics name the peer in use').to.match(new RegExp(`^il_fabric_peer_in_use\\{peer="${ownPeer.replace(/\./g, '\\.')}"\\} 1$`, 'm'));
      const log = readFileSync(path.join(w.net.home, 'logs', 'gateway.org2.log'), 'utf8');
      expect(log, 'the gateway logs its failover').to.match(/failing over/);
      expect(log, 'the gateway logs its return').to.match(/back on its own peer/);
      await verifyClaimsLoad(w.net, protocol, record, 'gateway failover');
    }
  });
});
