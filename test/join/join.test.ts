/**
 * A fourth organisation joins the running network (`scripts/network.sh add-org 4`) while the
 * existing organisations' clients keep submitting claims, takes part (its operator grants its own
 * user the verifier role, whose vote counts in a new protocol version), and leaves it again
 * (`remove-org 4`). The new peer joins from a snapshot on Raft and from the genesis block on BFT
 * (IL_JOIN_FROM overrides), so `npm test` covers both.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { currentNetwork, connectAs, networkScript, networkScriptWith, peerHeight, type Actor, type NetworkInfo } from '../helpers/network';
import { CommitFailure, evaluate, submit } from '../helpers/ledger';
import { claimLoad, loadProtocol, reader, SteadyLoad, verifyClaimsLoad } from '../fault/load';
import { claimFor, getWorld, protocolDraft, randomHash, submitClaim, type World } from '../integration/world';

interface Protocol { id: string; version: number; category: string }
interface Claim { id: string; status: string }
interface Verification { verifier: string; decision: string }

const consensus = process.env.CONSENSUS === 'bft' ? 'bft' : 'raft';
const joinFrom = process.env.IL_JOIN_FROM ?? (consensus === 'bft' ? 'genesis' : 'snapshot');
/** ENDORSEMENT_POLICY_FAILURE, the validation code of a transaction without enough endorsements. */
const ENDORSEMENT_POLICY_FAILURE = 10;

/** True when the channel configuration, as `actor`'s peer serves it (cscc), names `mspId`. */
async function channelConfigNames(actor: Actor, mspId: string): Promise<boolean> {
  const config = await actor.network.getContract('cscc').evaluateTransaction('GetChannelConfig', currentNetwork().channel);
  return Buffer.from(config).includes(mspId);
}

/** A peer's height from its operations endpoint (answers even to a peer whose organisation left). */
async function heightFromMetrics(operations: string, channel: string): Promise<number> {
  const text = await (await fetch(`${operations}/metrics`, { signal: AbortSignal.timeout(3_000) })).text();
  const match = new RegExp(`^ledger_blockchain_height\\{channel="${channel}"\\} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`no ledger_blockchain_height for ${channel} at ${operations}`);
  return Number(match[1]);
}

/** The script's step lines (each with its duration), for the run's log. */
function printSteps(label: string, output: string): void {
  for (const line of output.split('\n').filter((l) => / ok /.test(l))) console.log(`      ${label}: ${line.replace(/\x1b\[[0-9;]*m/g, '')}`);
}

describe(`an organisation joins the running network and leaves it (${consensus}, its peer joins from the ${joinFrom})`, function () {
  this.timeout(900_000);
  let w: World;
  let protocol: Protocol;
  let net4: NetworkInfo;
  let admin4: Actor;
  let verifier4: Actor;
  let verifier4Identity: string;
  let votedClaim: string;

  before(async () => {
    w = await getWorld();
    protocol = await loadProtocol(w, { verifiers: [w.user(1, 2).identity, w.user(2, 2).identity], quorum: 2, validators: [w.user(2, 4).identity] });
  });

  it('refuses the update adding it with one admin signature of three, and nothing changes', async () => {
    const net = currentNetwork();
    expect(await channelConfigNames(w.operators[0].actor, 'Org4MSP')).to.equal(false);
    const refused = await networkScriptWith(net, { IL_SIGNERS: '1' }, 'add-org', '4').then(
      () => undefined, (error: unknown) => (error instanceof Error ? error.message : String(error)));
    expect(refused, 'add-org with one signature succeeded').to.be.a('string');
    expect(refused).to.match(/refused the config update/);
    expect(refused).to.match(/implicit policy evaluation failed - 1 sub-policies were satisfied, but this policy requires 2/);
    expect(await channelConfigNames(w.operators[0].actor, 'Org4MSP')).to.equal(false);
    expect(await channelConfigNames(w.operators[2].actor, 'Org4MSP')).to.equal(false);
    expect(currentNetwork().orgs.map((o) => o.mspId)).to.deep.equal(['Org1MSP', 'Org2MSP', 'Org3MSP']);
  });

  it('joins under load: claims keep committing through the existing organisations, none lost; its peer reaches the same height and state', async () => {
    const net = currentNetwork();
    const load = new SteadyLoad(claimLoad(w, protocol, [1, 2, 3]), 3, 150);
    await load.acknowledged(3);
    const joinStart = Date.now();
    const output = await networkScriptWith(net, { IL_JOIN_FROM: joinFrom }, 'add-org', '4').catch(async (error: unknown) => {
      await load.stop();
      throw error;
    });
    const joinEnd = Date.now();
    printSteps('add-org 4', output);
    net4 = currentNetwork();
    const after = await load.acknowledged(3).then(() => undefined, (error: unknown) => error);
    const record = await load.stop();
    const errors = new Set(record.failed.map((a) => a.error?.slice(0, 240)));
    if (errors.size > 0) console.log(`      failed at the client (${record.failed.length}): ${[...errors].slice(0, 5).join('\n        ')}`);
    if (after) throw after;
    const duringJoin = record.acknowledged.filter((a) => a.startedAt >= joinStart && (a.endedAt ?? Infinity) <= joinEnd).length;
    console.log(`      add-org 4 took ${joinEnd - joinStart} ms; ${duringJoin} claims committed during the join`);
    expect(duringJoin, 'claims committed while the organisation joined').to.be.above(0);

    expect(net4.orgs.map((o) => o.mspId)).to.deep.equal(['Org1MSP', 'Org2MSP', 'Org3MSP', 'Org4MSP']);
    expect(await channelConfigNames(w.operators[1].actor, 'Org4MSP')).to.equal(true);
    // Every acknowledged claim exactly once, on all four peers, at the same height, same state.
    await verifyClaimsLoad(net4, protocol, record, 'join under load');
    const answers = await Promise.all([1, 2, 3, 4].map(async (org) => JSON.stringify(await evaluate(reader(net4, org), 'protocols:Get', protocol.id, '1'))));
    expect(new Set(answers).size, 'the four peers answer protocols:Get alike').to.equal(1);

    // Its gateway runs and is listed.
    const gateways = JSON.parse(readFileSync(path.join(net4.home, 'gateway', 'gateways.json'), 'utf8')) as { mspId: string; url: string }[];
    const gateway4 = gateways.find((g) => g.mspId === 'Org4MSP');
    expect(gateway4, 'gateways.json lists Org4MSP').to.not.equal(undefined);
    expect((await fetch(`${gateway4?.url}/ready`)).status).to.equal(200);
  });

  it('MAJORITY endorsement is now 3 of 4: two organisations no longer suffice, three with the newcomer do', async () => {
    const submitter = w.user(1, 1).actor;
    const two = await claimFor(protocol);
    const failure = await submitClaim(submitter, two, ['Org1MSP', 'Org2MSP']).then(() => undefined, (error: unknown) => error);
    expect(failure, 'a claim endorsed by 2 of 4 organisations committed').to.be.instanceOf(CommitFailure);
    expect((failure as CommitFailure).code).to.equal(ENDORSEMENT_POLICY_FAILURE);
    // The newcomer's peer endorses a claim: it holds the pseudonym secret (the collection's member).
    const three = await claimFor(protocol);
    const committed = await submitClaim<Claim>(submitter, three, ['Org1MSP', 'Org2MSP', 'Org4MSP']);
    expect(committed.result.status).to.equal('submitted');
  });

  it("its operator grants one of its users verifier; designated in a new protocol version, that verifier's vote counts", async () => {
    admin4 = connectAs(net4, 4, 'Admin');
    verifier4 = connectAs(net4, 4, 'User2');
    verifier4Identity = (await evaluate<{ identity: string }>(verifier4, 'roles:WhoAmI')).identity;
    await submit(admin4, 'roles:Grant', verifier4Identity, 'verifier');
    const v2 = protocolDraft({
      id: protocol.id, version: 2, category: protocol.category,
      verifiers: [w.user(1, 2).identity, verifier4Identity], quorum: 2, validators: [w.user(2, 4).identity],
    });
    await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(v2));
    await submit(w.operators[0].actor, 'protocols:Activate', v2.id, '2');
    const claim = (await submitClaim<Claim>(w.user(1, 1).actor, await claimFor({ ...protocol, version: 2 }))).result;
    const first = await submit<Claim>(w.user(1, 2).actor, 'claims:Verify', claim.id, 'approve', '5000', randomHash());
    expect(first.result.status).to.equal('submitted');
    const second = await submit<Claim>(verifier4, 'claims:Verify', claim.id, 'approve', '5000', randomHash());
    expect(second.result.status, 'the Org4 verifier\'s vote makes the quorum').to.equal('verified');
    votedClaim = claim.id;
  });

  it('remove-org 4: its endorsements no longer count, its peer pulls no new blocks, its records stay', async () => {
    const output = await networkScript(net4, 'remove-org', '4');
    printSteps('remove-org 4', output);
    const net = currentNetwork();
    expect(net.orgs.map((o) => o.mspId)).to.deep.equal(['Org1MSP', 'Org2MSP', 'Org3MSP']);
    expect(await channelConfigNames(w.operators[0].actor, 'Org4MSP')).to.equal(false);
    const org4Peer = net4.orgs[3]?.peer.operations as string;
    const frozen = await heightFromMetrics(org4Peer, net.channel);

    // MAJORITY is 2 of 3 again; the members keep transacting.
    const submitter = w.user(1, 1).actor;
    const two = await submitClaim(submitter, await claimFor(protocol), ['Org1MSP', 'Org2MSP']);
    // Org4's endorsement no longer counts: Org1 + Org4 is not a majority of the members.
    const withOrg4 = await submitClaim(submitter, await claimFor(protocol), ['Org1MSP', 'Org4MSP']).then(() => 'committed', () => 'refused');
    expect(withOrg4, 'a claim endorsed by Org1 and the removed Org4').to.equal('refused');
    // Its users cannot transact.
    const byOrg4 = await submit(admin4, 'roles:Grant', verifier4Identity, 'validator').then(() => 'committed', () => 'refused');
    expect(byOrg4, 'a transaction of the removed organisation').to.equal('refused');

    // Its peer stays where it was; the members' peers move on.
    const members = await peerHeight(reader(net, 1), net.channel);
    expect(members > two.blockNumber).to.equal(true);
    expect(await heightFromMetrics(org4Peer, net.channel)).to.equal(frozen);
    expect(BigInt(frozen) < members, `Org4's peer at ${frozen}, the members at ${members}`).to.equal(true);

    // What it did stays on the ledger: its verifier's vote on the claim.
    const verifications = await evaluate<Verification[]>(reader(net, 2), 'claims:Verifications', votedClaim);
    expect(verifications.map((v) => v.verifier)).to.include(verifier4Identity);
    admin4.close();
    verifier4.close();
  });
});
