/**
 * Evidence levels, additionality per claim and cursor pagination, end to end over HTTP against
 * the real network: the endorsing peers refuse a claim whose evidence does not meet its declared
 * level, a campaign pays only for proofs of its level, a claim's baseline and counterfactual
 * reach provenance and the audit bundle, every list pages with a cursor to its end, and the CLI
 * drives the real gateway.
 */
import { createStaticDocumentLoader, credentialHash } from '@impact-ledger/credentials';
import { verifyAuditBundle, type AuditBundle } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import type { HttpClient } from '../helpers/gateway-http';
import { REPO_ROOT } from '../helpers/network';
import { issueCommuteProof } from './funding';
import { activeProtocol, claimRequest, newIssuer, settled, signedCredential, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

const EVIDENCE = { declared: ['trace'], computed: ['computation'], verified: ['attestation'] };
const hash = (): string => randomBytes(32).toString('hex');

/** Every record of a list route, following `cursor` page by page; the pages seen. */
async function followCursor<T>(client: HttpClient, route: string, pageSize: number): Promise<{ records: T[]; pages: number }> {
  const records: T[] = [];
  let cursor = '';
  for (let pages = 1; pages < 1000; pages++) {
    const sep = route.includes('?') ? '&' : '?';
    const page = await client.json<{ records: T[]; cursor: string }>('GET', `${route}${sep}pageSize=${pageSize}${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, undefined, 200);
    expect(page.records.length).to.be.at.most(pageSize);
    records.push(...page.records);
    if (page.cursor === '') return { records, pages };
    cursor = page.cursor;
  }
  throw new Error(`${route}: the cursor never ended`);
}

describe('e2e: evidence levels, additionality, pagination, CLI', function () {
  this.timeout(300_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;
  let computedProof: string;
  let verifiedProof: string;
  const campaignId = `verified-${randomBytes(4).toString('hex')}`;
  const additionality = { baseline: 30_000, counterfactual: 11_500 };

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller], { evidence: EVIDENCE });
  });

  it('the endorsing peers refuse a claim whose evidence does not meet its declared level (422 EVIDENCE_INSUFFICIENT) and anchor nothing', async () => {
    const credential = await signedCredential(issuer, { subject: { quantity: 9000 } });
    const body = { ...claimRequest(protocol, credential), proofLevel: 'verified', evidence: { trace: hash(), computation: hash() } };
    const refused = await world.client(1, 'User1').request('POST', '/v1/claims', body);
    expect([refused.status, refused.body.code]).to.deep.equal([422, 'EVIDENCE_INSUFFICIENT']);
    expect(refused.body.missing ?? (refused.body.details as { missing?: unknown } | undefined)?.missing).to.deep.equal(['attestation']);
    const anchored = await world.client(1, 'User1').request('GET', `/v1/claims/by-credential-hash/${await credentialHash(credential, createStaticDocumentLoader())}`);
    expect(anchored.status, 'nothing was written').to.equal(404);
    const none = await world.client(1, 'User1').request('POST', '/v1/claims', { ...claimRequest(protocol, credential), proofLevel: 'declared' });
    expect([none.status, none.body.code], 'even level 1 needs the trace hash under this protocol').to.deep.equal([422, 'EVIDENCE_INSUFFICIENT']);
  });

  it('issues proofs at the level their evidence meets, and keeps each claim\'s additionality record', async () => {
    computedProof = (await issueCommuteProof(protocol, issuer, 12_000, { proofLevel: 'computed', evidence: { trace: hash(), computation: hash() }, additionality })).id;
    const verified = await issueCommuteProof(protocol, issuer, 7000, { proofLevel: 'verified', evidence: { trace: hash(), computation: hash(), attestation: hash() } });
    verifiedProof = verified.id;
    const proof = await world.client(3, 'User5').json<{ proofLevel: string }>('GET', `/v1/proofs/${verifiedProof}`, undefined, 200);
    expect(proof.proofLevel).to.equal('verified');
  });

  it('a campaign filters by level: it settles the verified proof and refuses the computed one (422 NOT_ELIGIBLE, criterion minProofLevel)', async () => {
    const funder = world.client(1, 'User5');
    await settled(await funder.json<Committed>('POST', '/v1/campaigns', {
      id: campaignId, name: 'Verified only', protocols: [protocol.id], currency: 'EUR', budget: 1_000_000, pricePerUnit: 1,
      criteria: { minProofLevel: 'verified', periodStart: '2025-01-01', periodEnd: '2025-12-31' },
    }, 201));
    const refused = await funder.request('POST', `/v1/campaigns/${campaignId}/settlements`, { proofId: computedProof });
    expect([refused.status, refused.body.code]).to.deep.equal([422, 'NOT_ELIGIBLE']);
    expect(JSON.stringify(refused.body)).to.contain('minProofLevel');
    const paid = await settled(await funder.json<Committed<{ amount: number }>>('POST', `/v1/campaigns/${campaignId}/settlements`, { proofId: verifiedProof }, 201));
    expect(paid.result.amount).to.equal(7000);
  });

  it("shows the claim's additionality (baseline, counterfactual, method hash, record hash) in provenance and in the audit bundle, which verifies", async () => {
    const { provenance } = await world.client(3, 'User5').json<{ provenance: { claim: { additionality: Record<string, unknown> }; protocol: unknown } }>(
      'GET', `/v1/proofs/${computedProof}/provenance`, undefined, 200);
    expect(provenance.claim.additionality).to.include(additionality);
    expect(provenance.claim.additionality.methodHash).to.match(/^[0-9a-f]{64}$/);
    expect(provenance.claim.additionality.hash).to.match(/^[0-9a-f]{64}$/);
    const bundle = await world.client(2, 'User5').json<AuditBundle>('GET', `/v1/proofs/${computedProof}/audit-bundle`, undefined, 200);
    expect((bundle.provenance.claim as { additionality?: unknown }).additionality).to.deep.equal(provenance.claim.additionality);
    expect(verifyAuditBundle(bundle).failures).to.deep.equal([]);
    const forged = structuredClone(bundle);
    (forged.provenance.claim as { additionality: { baseline: number } }).additionality.baseline += 1;
    expect(verifyAuditBundle(forged).ok, 'a changed baseline does not verify').to.equal(false);
  });

  it('follows the cursor to the end on every list: campaigns, settlements, roles, role history, protocol versions', async () => {
    const client = world.client(1, 'User5');
    const funder = client;
    const extra = [`${campaignId}-a`, `${campaignId}-b`];
    for (const id of extra) {
      const opened = await funder.json<Committed>('POST', '/v1/campaigns', {
        id, name: 'page', protocols: [protocol.id], currency: 'EUR', budget: 10, pricePerUnit: 1, criteria: { periodStart: '2025-01-01', periodEnd: '2025-12-31' },
      }, 201);
      await settled(opened);
    }
    const campaigns = await followCursor<{ id: string }>(client, '/v1/campaigns', 1);
    const ids = campaigns.records.map((c) => c.id);
    expect(ids).to.include.members([campaignId, ...extra]);
    expect(new Set(ids).size, 'no campaign twice').to.equal(ids.length);
    expect(campaigns.pages).to.be.at.least(3);
    const all = await client.json<{ records: { id: string }[]; cursor: string }>('GET', '/v1/campaigns?pageSize=100', undefined, 200);
    expect(all.records.map((c) => c.id), 'the pages add up to the whole list').to.deep.equal(ids);

    const settlements = await followCursor<{ proofId: string }>(client, `/v1/campaigns/${campaignId}/settlements`, 1);
    expect(settlements.records.map((s) => s.proofId)).to.deep.equal([verifiedProof]);

    const grants = await followCursor<{ identity: string; role: string }>(client, '/v1/roles?mspId=Org1MSP', 1);
    expect(grants.records.map((g) => `${g.identity} ${g.role}`)).to.include(`${world.identity(1, 'User5')} funder`);
    const history = await followCursor<{ role: string }>(client, `/v1/roles/${encodeURIComponent(world.identity(1, 'User5'))}/history`, 1);
    expect(history.records.map((r) => r.role)).to.include('funder');

    const admin = world.client(1, 'Admin');
    const second = { ...(await admin.json<Record<string, unknown>>('GET', `/v1/protocols/${protocol.id}/versions/1`, undefined, 200)) };
    for (const field of ['status', 'ownerMsp', 'registered', 'activation', 'lifecycle']) delete second[field];
    await settled(await admin.json<Committed>('POST', '/v1/protocols', { ...second, version: 2, title: 'v2' }, 201));
    const versions = await followCursor<{ version: number }>(client, `/v1/protocols/${protocol.id}`, 1);
    expect(versions.records.map((v) => v.version)).to.deep.equal([1, 2]);
    expect(versions.pages).to.be.at.least(2);

    const bad = await client.request('GET', `/v1/campaigns?pageSize=1&cursor=${encodeURIComponent('not a bookmark')}`);
    expect([bad.status, bad.body.code]).to.deep.equal([400, 'INVALID_ARGUMENT']);
  });

  it('streams the CSV export in row order', async () => {
    const response = await world.client(1, 'User5').request('GET', `/v1/campaigns/${campaignId}/export.csv?period=2025-05`);
    expect(response.status).to.equal(200);
    const lines = response.text.trim().split('\r\n');
    expect(lines).to.have.length(2);
    expect(lines[1]).to.match(new RegExp(`^2025-05,${campaignId},[0-9a-f]{64},${protocol.id},gCO2e,7000,1,EUR,7000,0,7000,70.00$`));
  });

  describe('the CLI against the real gateway', () => {
    const cli = path.join(REPO_ROOT, 'gateway', 'dist', 'cli.js');
    const mspOf = (user: string): string => {
      const network = JSON.parse(readFileSync(process.env.IL_NETWORK_JSON ?? '', 'utf8')) as { orgs: { users: { name: string; certPath: string }[] }[] };
      const entry = network.orgs[0]?.users.find((u) => u.name.startsWith(`${user}@`));
      return entry === undefined ? '' : path.dirname(path.dirname(entry.certPath)); // Admin: custodial, no wallet
    };
    const run = async (user: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      // the user's own msp folder as its wallet: the CLI signs the steps of a client-signing user (the funder) itself
      const env = { ...process.env, IL_GATEWAY_URL: world.gateways[0]?.running.url ?? '', IL_GATEWAY_TOKEN: world.gateways[0]?.tokens.get(user) ?? '', IL_WALLET: mspOf(user) };
      try {
        const { stdout, stderr } = await promisify(execFile)('node', [cli, ...args], { env });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    };

    it('reads a campaign, follows every page of campaigns with progress on stderr, and reports a refusal with exit 1', async () => {
      const one = await run('User5', 'campaigns:get', campaignId);
      expect(one.code).to.equal(0);
      expect((JSON.parse(one.stdout) as { campaign: { id: string } }).campaign.id).to.equal(campaignId);
      const every = await run('User5', 'campaigns:list', '--all', '--page-size', '1');
      expect(every.code).to.equal(0);
      const ids = every.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids).to.include.members([campaignId, `${campaignId}-a`, `${campaignId}-b`]);
      expect(every.stderr).to.match(/page \d+: \d+ records/);
      const refused = await run('User5', 'campaigns:settle', campaignId, computedProof);
      expect(refused.code).to.equal(1);
      expect((JSON.parse(refused.stderr) as { code: string }).code).to.equal('NOT_ELIGIBLE');
      const csv = await run('User5', 'campaigns:export', campaignId, '2025-05');
      expect(csv.code).to.equal(0);
      expect(csv.stdout).to.contain(`2025-05,${campaignId},`);
    });

    it('compacts the totals in steps until done, with progress, and the totals stay the same', async () => {
      const before = await run('User5', 'totals', 'pillar=B', 'unit=gCO2e');
      const compacted = await run('Admin', 'totals:compact', 'B', 'gCO2e', '5');
      expect(compacted.code, compacted.stderr).to.equal(0);
      expect(compacted.stderr).to.match(/^step 1: \d+ folded/m);
      const done = JSON.parse(compacted.stdout) as { steps: number; entriesFolded: number };
      expect(done.entriesFolded).to.be.greaterThan(0);
      expect(done.steps, 'limit 5 per step').to.be.at.least(Math.ceil(done.entriesFolded / 5));
      const after = await run('User5', 'totals', 'pillar=B', 'unit=gCO2e');
      expect(JSON.parse(after.stdout)).to.deep.equal(JSON.parse(before.stdout));
      const refused = await run('User5', 'totals:compact', 'B', 'gCO2e');
      expect([refused.code, (JSON.parse(refused.stderr) as { code: string }).code]).to.deep.equal([1, 'FORBIDDEN_ROLE']);
    });
  });
});
