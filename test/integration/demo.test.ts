/**
 * What `npm start` leaves running, used as the README's walkthrough does: the gateways the
 * scripts started, the seeded protocol and a seeded demo credential, through HTTP only:
 * submit -> three verifications on three organisations' gateways -> validation -> provenance.
 * The gateways sign only for Admin and User1: the verifiers and the validator sign their own
 * steps here with their keys, as the README's CLI does with --wallet.
 */
import { followSigning, loadSigningKey, type SigningKey } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { currentNetwork, waitForBlockEverywhere } from '../helpers/network';

interface GatewayEntry { mspId: string; url: string; tokens: Record<string, string> }
interface Committed { result: Record<string, unknown>; txId: string; blockNumber: number }

interface Answer { status: number; body: unknown }
interface NetworkUsers { orgs: { mspId: string; users: { name: string; certPath: string; keyDir: string }[] }[] }

/** The key of `user` of the gateway's organisation, from network.json (this test is that user's own process). */
function keyOf(gateway: GatewayEntry, user: string): SigningKey {
  const network = JSON.parse(readFileSync(path.join(currentNetwork().home, 'network.json'), 'utf8')) as NetworkUsers;
  const entry = network.orgs.find((org) => org.mspId === gateway.mspId)?.users.find((u) => u.name.startsWith(`${user}@`));
  if (entry === undefined) throw new Error(`no ${user} of ${gateway.mspId} in network.json`);
  return loadSigningKey(entry.certPath, entry.keyDir);
}

async function send(gateway: GatewayEntry, user: string, method: string, route: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${gateway.url}${route}`, {
    method,
    headers: {
      authorization: `Bearer ${gateway.tokens[user] ?? ''}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

function expectOk(answer: Answer, what: string): Record<string, unknown> {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).to.be.lessThan(300);
  return answer.body as Record<string, unknown>;
}

async function call(gateway: GatewayEntry, user: string, method: string, route: string, body?: unknown): Promise<Record<string, unknown>> {
  return expectOk(await send(gateway, user, method, route, body), `${method} ${route} as ${user}@${gateway.mspId}`);
}

/** A write; a 202 (the gateway asks the user to sign) is followed with the user's own key. */
async function mutate(gateway: GatewayEntry, user: string, route: string, body: unknown): Promise<Committed> {
  const first = await send(gateway, user, 'POST', route, body);
  // the scripts' gateways hold the keys of Admin and User1 (the submitter service account) only
  expect(first.status === 202, `${user}@${gateway.mspId} signs ${user === 'User1' ? 'through its gateway' : 'its own steps'}`).to.equal(user !== 'User1' && user !== 'Admin');
  const answer = first.status === 202 ? await followSigning(first, keyOf(gateway, user), (signUrl, signature) => send(gateway, user, 'POST', signUrl, signature)) : first;
  const committed = expectOk(answer, `POST ${route} as ${user}@${gateway.mspId}`) as unknown as Committed;
  await waitForBlockEverywhere(currentNetwork(), BigInt(committed.blockNumber));
  return committed;
}

describe('the demo that npm start seeds, through the started gateways (README walkthrough)', function () {
  this.timeout(120_000);

  it('turns a seeded demo credential into a proof with provenance, over HTTP only', async () => {
    const home = currentNetwork().home;
    const [g1, g2, g3] = JSON.parse(readFileSync(path.join(home, 'gateway', 'gateways.json'), 'utf8')) as GatewayEntry[];
    if (!g1 || !g2 || !g3) throw new Error('gateways.json lists fewer than three gateways');
    const protocol = await call(g3, 'User5', 'GET', '/v1/protocols/commute-modal-shift/versions/1');
    expect(protocol).to.include({ status: 'active', pillar: 'B', quorum: 3 });
    expect(protocol.verifiers).to.have.length(5);

    const credential = JSON.parse(readFileSync(path.join(home, 'demo', 'credential-2.json'), 'utf8')) as Record<string, unknown>;
    const claim = await mutate(g1, 'User1', '/v1/claims',
      { protocolId: 'commute-modal-shift', protocolVersion: 1, credential, evidenceHashes: [] });
    const claimId = String(claim.result.id);
    const quantity = Number(claim.result.quantity);
    expect(quantity).to.equal(410 * 218);

    const report = (n: number) => createHash('sha256').update(`verification report ${n}`).digest('hex');
    let status = '';
    for (const [n, gateway] of [g2, g3, g1].entries()) {
      const vote = await mutate(gateway, 'User2', `/v1/claims/${claimId}/verifications`,
        { decision: 'approve', assessedQuantity: quantity, reportHash: report(n) });
      status = String(vote.result.status);
    }
    expect(status).to.equal('verified');

    const proof = await mutate(g2, 'User4', `/v1/claims/${claimId}/validation`, { quantity });
    const provenance = await call(g3, 'User5', 'GET', `/v1/proofs/${String(proof.result.id)}/provenance`);
    const chain = provenance.provenance as { claim: { txId: string }; verifications: unknown[] };
    const blocks = provenance.blocks as Record<string, number>;
    expect(chain.claim.txId).to.equal(claim.txId);
    expect(chain.verifications).to.have.length(3);
    expect(blocks[claim.txId]).to.equal(claim.blockNumber);
    expect(blocks[proof.txId]).to.equal(proof.blockNumber);

    await waitForBlockEverywhere(currentNetwork(), BigInt(proof.blockNumber));
    const totals = await call(g3, 'User5', 'GET', '/v1/totals?groupBy=sdg,year');
    const rows = totals.totals as { pillar: string; sdgTarget: string; period: string; issued: number }[];
    expect(rows.map((row) => row.sdgTarget)).to.include.members(['11.2', '13.2']);
    expect(rows.every((row) => row.pillar === 'B' && row.issued >= quantity && /^\d{4}$/.test(row.period))).to.equal(true);
  });
});
