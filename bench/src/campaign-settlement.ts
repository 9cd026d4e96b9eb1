/**
 * Bench: MVCC conflicts of concurrent settlements against one campaign, by number of budget
 * tranches. Issues 3 x N proofs on a running network (directly through fabric-gateway), then for
 * shards = 1, 8, 32 opens a campaign with an ample budget and submits N settlements at once
 * (each endorsed before any commits, no retry), and counts how many commit and how many are
 * invalidated (MVCC_READ_CONFLICT); losers are resubmitted until all are settled.
 *
 * Usage: IL_NETWORK_JSON=<IL_HOME>/network.json node build/bench/src/campaign-settlement.js [N] [OUT.json]
 * Needs the demo roles (User1 submitter, User2 verifier, User4 validator, User5 funder: `npm start` grants them).
 */
import { peer } from '@hyperledger/fabric-protos';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ISSUER_DID } from '../../test/helpers/cast';
import { evaluate, submit } from '../../test/helpers/ledger';
import { claimFor, submitClaim } from '../../test/integration/world';
import { closeAllClients, connectAs, currentNetwork, type Actor } from '../../test/helpers/network';

const hex = (label: string) => createHash('sha256').update(label).digest('hex');

async function issueProofs(count: number, actors: Record<string, Actor>, protocolId: string): Promise<string[]> {
  const run = hex(randomBytes(8).toString('hex'));
  return Promise.all(Array.from({ length: count }, async (_, i) => {
    const draft = await claimFor({ id: protocolId, version: 1, category: `bench-${protocolId}` }, { subject: `${run}-producer-${i}`, quantity: 1000 });
    const claim = await submitClaim<{ id: string }>(actors.submitter as Actor, draft);
    await submit(actors.verifier1 as Actor, 'claims:Verify', claim.result.id, 'approve', '1000', hex('report-1'));
    await submit(actors.verifier2 as Actor, 'claims:Verify', claim.result.id, 'approve', '1000', hex('report-2'));
    return (await submit<{ id: string }>(actors.validator as Actor, 'claims:Validate', claim.result.id, '1000')).result.id;
  }));
}

interface Round { committed: number; mvccConflicts: number; otherFailures: number }

/** Submits every settlement at once; the proofs that lost an MVCC conflict. */
async function round(funder: Actor, campaignId: string, proofIds: string[]): Promise<{ round: Round; losers: string[] }> {
  const contract = funder.contract('campaigns');
  const submitted = await Promise.all(proofIds.map(async (proofId) => ({ proofId, tx: await contract.submitAsync('Settle', { arguments: [campaignId, proofId] }) })));
  const statuses = await Promise.all(submitted.map(async ({ proofId, tx }) => ({ proofId, status: await tx.getStatus() })));
  const losers = statuses.filter((s) => s.status.code === peer.TxValidationCode.MVCC_READ_CONFLICT).map((s) => s.proofId);
  const committed = statuses.filter((s) => s.status.successful).length;
  return { round: { committed, mvccConflicts: losers.length, otherFailures: statuses.length - committed - losers.length }, losers };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 24);
  const out = process.argv[3] ?? path.join('build', 'bench', 'campaign-settlement.json');
  const net = currentNetwork();
  const actors = {
    admin: connectAs(net, 1, 'Admin'), submitter: connectAs(net, 1, 'User1'), verifier1: connectAs(net, 1, 'User2'),
    verifier2: connectAs(net, 2, 'User2'), validator: connectAs(net, 2, 'User4'), funder: connectAs(net, 1, 'User5'),
  };
  const who = async (actor: Actor) => (await evaluate<{ identity: string }>(actor, 'roles:WhoAmI')).identity;
  const protocolId = `bench-${randomBytes(3).toString('hex')}`;
  await submit(actors.admin, 'protocols:Register', JSON.stringify({
    id: protocolId, version: 1, title: 'bench', category: `bench-${protocolId}`, unit: 'gCO2e', pillar: 'B', sdgTargets: ['11.2'], minProofLevel: 'declared',
    verifiers: [await who(actors.verifier1), await who(actors.verifier2)], quorum: 2, validators: [await who(actors.validator)],
    trustedIssuers: [ISSUER_DID], subjectSchema: { type: 'object' }, quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' }, additionality: { hash: hex('bench-method') },
  }));
  await submit(actors.admin, 'protocols:Activate', protocolId, '1');
  const shardCounts = [1, 8, 32];
  const issueStarted = Date.now();
  const proofs = await issueProofs(n * shardCounts.length, actors, protocolId);
  const issueSeconds = (Date.now() - issueStarted) / 1000;
  const results = [];
  for (const [i, shards] of shardCounts.entries()) {
    const campaignId = `${protocolId}-s${shards}`;
    await submit(actors.funder, 'campaigns:Open', JSON.stringify({
      id: campaignId, name: `bench ${shards} tranches`, protocols: [protocolId], currency: 'EUR', budget: 10_000_000, pricePerUnit: 1, shards,
      criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31' },
    }));
    let pending = proofs.slice(i * n, (i + 1) * n);
    const rounds: Round[] = [];
    const started = Date.now();
    while (pending.length > 0 && rounds.length < 50) {
      const outcome = await round(actors.funder, campaignId, pending);
      rounds.push(outcome.round);
      pending = outcome.losers;
    }
    const seconds = (Date.now() - started) / 1000;
    const progress = await evaluate<{ progress: { settled: number; settlements: number } }>(actors.funder, 'campaigns:Progress', campaignId);
    const first = rounds[0] as Round;
    results.push({
      shards, concurrentSettlements: n, firstRound: first, firstRoundConflictRate: Math.round((first.mvccConflicts / n) * 1000) / 1000,
      rounds: rounds.length, totalMvccConflicts: rounds.reduce((s, r) => s + r.mvccConflicts, 0), seconds, settledOnLedger: progress.progress.settlements,
    });
    console.log(`shards=${shards}: first round ${first.committed}/${n} committed, ${first.mvccConflicts} MVCC conflicts; all settled in ${rounds.length} rounds, ${seconds.toFixed(1)} s`);
  }
  const report = { bench: 'campaign settlement MVCC conflicts', date: new Date().toISOString(), consensus: net.consensus ?? 'raft', proofsIssued: proofs.length, issueSeconds, results };
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`results in ${out}`);
  for (const actor of Object.values(actors)) actor.close();
  closeAllClients();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
