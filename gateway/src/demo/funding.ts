/**
 * The funders' part of the demo: org 1's funder (User5) runs a sustainable-mobility allowance
 * campaign on the commute protocol, paying 1.00 EUR per kgCO2e avoided with a 10 % buffer, and
 * the demo proof of commuter 5 (demo/credential-5.json) is taken through the quorum, validated
 * and settled against it. Credentials 1-4 are left for the README walkthrough and the tests.
 * Re-runnable: every step first looks at what the ledger already holds.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '@impact-ledger/credentials';

/** What the seed's gateway client offers. */
export interface DemoGateway {
  readonly entry: { readonly mspId: string };
  call(user: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  expect(user: string, method: string, route: string, body: unknown, ok: number[]): Promise<unknown>;
}

/** The demo campaign. */
export const DEMO_CAMPAIGN = {
  id: 'demo-mobility-allowance',
  name: 'Sustainable-mobility allowance 2026 (Org1)',
  protocols: ['commute-modal-shift'],
  currency: 'EUR',
  budget: 100_000,
  pricePerUnit: 100,
  pricePer: 1000,
  bufferBps: 1000,
  criteria: { minProofLevel: 'computed', periodStart: '2026-01-01', periodEnd: '2026-12-31', msps: ['Org1MSP'], protocolVersions: { 'commute-modal-shift': [1] } },
} as const;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries while another organisation's peer has not yet received the previous block. */
async function eventually(gateway: DemoGateway, user: string, method: string, route: string, body: unknown, ok: number[]): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    const { status, json } = await gateway.call(user, method, route, body);
    if (ok.includes(status)) return json;
    if (attempt >= 20 || ![404, 409, 503].includes(status)) {
      throw new Error(`${method} ${route} as ${user}@${gateway.entry.mspId}: HTTP ${status} ${JSON.stringify(json)}`);
    }
    await delay(500);
  }
}

interface ClaimRecord { id: string; status: string; quantity: number; proofId?: string }

/**
 * Opens the demo campaign and settles the proof of `credential` against it.
 * `verifiers` are three (gateway, user) pairs designated by the protocol; `validator` another.
 */
export async function seedFunding(org1: DemoGateway, verifiers: readonly [DemoGateway, string][], validator: [DemoGateway, string], credential: JsonObject): Promise<void> {
  const existing = await org1.call('User5', 'GET', `/v1/campaigns/${DEMO_CAMPAIGN.id}`);
  if (existing.status === 404) {
    await org1.expect('User5', 'POST', '/v1/campaigns', DEMO_CAMPAIGN, [201]);
    console.log(`  org1's funder opened campaign ${DEMO_CAMPAIGN.id}`);
  }
  const check = (await org1.expect('User1', 'POST', '/v1/credentials/check', { credential }, [200])) as { claim?: ClaimRecord };
  let claim = check.claim;
  if (claim === undefined) {
    const submitted = (await org1.expect('User1', 'POST', '/v1/claims', { protocolId: 'commute-modal-shift', protocolVersion: 1, credential, evidenceHashes: [], proofLevel: 'computed' }, [201])) as { result: ClaimRecord };
    claim = submitted.result;
    console.log(`  submitted the demo claim ${claim.id}`);
  }
  for (const [n, [gateway, user]] of verifiers.entries()) {
    if (claim.status !== 'submitted') break;
    const report = createHash('sha256').update(`demo verification report ${n}`).digest('hex');
    const vote = await gateway.call(user, 'POST', `/v1/claims/${claim.id}/verifications`, { decision: 'approve', assessedQuantity: claim.quantity, reportHash: report });
    if (vote.status === 409 && (vote.json as { code?: string }).code === 'ALREADY_VERIFIED') continue;
    const body: unknown = vote.status === 201 ? vote.json : await eventually(gateway, user, 'POST', `/v1/claims/${claim.id}/verifications`, { decision: 'approve', assessedQuantity: claim.quantity, reportHash: report }, [201]);
    claim = (body as { result: ClaimRecord }).result;
  }
  let proofId = claim.proofId;
  if (proofId === undefined) {
    const [gateway, user] = validator;
    const issued = (await eventually(gateway, user, 'POST', `/v1/claims/${claim.id}/validation`, { quantity: claim.quantity }, [201])) as { result: { id: string } };
    proofId = issued.result.id;
    console.log(`  validated the demo claim: proof ${proofId}`);
  }
  const settlement = await org1.call('User5', 'GET', `/v1/proofs/${proofId}/settlement`);
  if (settlement.status === 404) {
    const settled = (await eventually(org1, 'User5', 'POST', `/v1/campaigns/${DEMO_CAMPAIGN.id}/settlements`, { proofId }, [201])) as { result: { amount: number } };
    console.log(`  settled proof ${proofId} against ${DEMO_CAMPAIGN.id}: ${(settled.result.amount / 100).toFixed(2)} EUR`);
  }
}
