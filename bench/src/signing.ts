/**
 * Bench: what client signing costs (issue 18). One run, one network, two in-process gateways of
 * Org1 that differ only in custody: on one the funder (User5) is declared custodial (the gateway
 * signs), on the other it signs itself (two 202 steps, each checked and signed here with its key
 * from network.json). The same transaction (campaigns:SetBudget on one campaign), sent in turn to
 * each, sequentially: p50/p95 of each and their ratio. A vote (claims:Verify) is never custodial
 * by design, so the comparison uses the funder's transaction; a vote's client-signed flow is the
 * same two steps.
 *
 * Usage: IL_NETWORK_JSON=<IL_HOME>/network.json node build/bench/src/signing.js [N]   (npm run bench:signing)
 * Needs a protocol on the ledger (`npm start` registers commute-modal-shift).
 */
import { loadConfig, loadSigningKey, startGateway, tokenHash, type RunningGateway } from '@impact-ledger/gateway';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HttpClient } from '../../test/helpers/gateway-http';
import { currentNetwork, REPO_ROOT, userFiles } from '../../test/helpers/network';
import { percentile } from '../lib/stats';

const SECRET = 'bench-signing-network-secret';

async function gatewayFor(dir: string, funderCustody: 'gateway' | 'client', tokens: { admin: string; funder: string }): Promise<RunningGateway> {
  const net = currentNetwork();
  const org = net.orgs[0];
  if (org === undefined) throw new Error('no org 1');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'api-keys.json'), JSON.stringify({ keys: [
    { sha256: tokenHash(tokens.admin), user: org.admin.name, custody: 'gateway' },
    { sha256: tokenHash(tokens.funder), user: userFiles(net, 1, 'User5').name, custody: funderCustody },
  ] }));
  return startGateway(loadConfig({
    IL_GATEWAY_MSP_ID: org.mspId, IL_NETWORK_JSON: process.env.IL_NETWORK_JSON, IL_GATEWAY_PORT: '0', IL_GATEWAY_CHECK_THREADS: '0',
    IL_GATEWAY_API_KEYS: path.join(dir, 'api-keys.json'), IL_GATEWAY_DATA_DIR: path.join(dir, 'data'), IL_NETWORK_SECRET: SECRET, IL_GATEWAY_LOG_LEVEL: 'warn',
  }), { logger: false });
}

function summary(label: string, ms: number[]): { p50: number; p95: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p95 = percentile(sorted, 95);
  console.log(`  ${label.padEnd(34)} n=${ms.length}  p50 ${p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms`);
  return { p50, p95 };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 40);
  const net = currentNetwork();
  const dir = path.join(REPO_ROOT, 'build', 'bench-signing', `${Date.now()}`);
  const tokens = { admin: `bench-admin-${randomBytes(16).toString('hex')}`, funder: `bench-funder-${randomBytes(16).toString('hex')}` };
  const custodial = await gatewayFor(path.join(dir, 'custodial'), 'gateway', tokens);
  const clientSigned = await gatewayFor(path.join(dir, 'client'), 'client', tokens);
  try {
    const funderFiles = userFiles(net, 1, 'User5');
    const admin = new HttpClient(() => custodial.url, tokens.admin);
    const viaGateway = new HttpClient(() => custodial.url, tokens.funder);
    const selfSigned = new HttpClient(() => clientSigned.url, tokens.funder, loadSigningKey(funderFiles.certPath, funderFiles.keyDir));
    const me = await viaGateway.json<{ identity: string; roles: string[] }>('GET', '/v1/roles/me', undefined, 200);
    if (!me.roles.includes('funder')) await admin.json('POST', '/v1/roles', { identity: me.identity, role: 'funder' }, 201);
    const protocols = await admin.json<{ records: { id: string }[] }>('GET', '/v1/protocols', undefined, 200);
    const protocolId = protocols.records[0]?.id;
    if (protocolId === undefined) throw new Error('no protocol on the ledger: run after npm start (or any e2e run)');
    const campaignId = `bench-signing-${randomBytes(4).toString('hex')}`;
    await viaGateway.json('POST', '/v1/campaigns', {
      id: campaignId, name: 'signing bench', protocols: [protocolId], currency: 'EUR', budget: 1_000_000, pricePerUnit: 1,
      criteria: { periodStart: '2025-01-01', periodEnd: '2025-12-31' },
    }, 201);
    const times = { custodial: [] as number[], client: [] as number[] };
    let budget = 1_000_000;
    // one warm-up each (connections, the offline gateway), then alternate
    for (let i = -1; i < n; i++) {
      for (const [kind, client] of [['custodial', viaGateway], ['client', selfSigned]] as const) {
        budget += 1;
        const started = performance.now();
        await client.json('POST', `/v1/campaigns/${campaignId}/budget`, { budget }, 200);
        if (i >= 0) times[kind].push(performance.now() - started);
      }
    }
    console.log(`campaigns:SetBudget through Org1's gateway, ${n} each, sequential, alternating (${net.consensus}):`);
    const a = summary('custodial (the gateway signs)', times.custodial);
    const b = summary('client-signed (2 steps signed here)', times.client);
    console.log(`  ratio client/custodial: p50 ${(b.p50 / a.p50).toFixed(2)}x, p95 ${(b.p95 / a.p95).toFixed(2)}x`);
  } finally {
    await custodial.close();
    await clientSigned.close();
  }
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
