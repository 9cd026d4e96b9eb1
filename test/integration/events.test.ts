/**
 * Chaincode events from the real network: read with a durable checkpointer, the connection
 * dropped, more transactions committed meanwhile, then resumed with no gap and no duplicate.
 */
import { checkpointers, type ChaincodeEvent } from '@hyperledger/fabric-gateway';
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ChaincodeEvents } from '@impact-ledger/chaincode/events';
import { connectAs, peerHeight } from '../helpers/network';
import { submit } from '../helpers/ledger';
import { getWorld, protocolDraft, type World } from './world';

async function registerDraft(w: World): Promise<string> {
  const draft = protocolDraft({ verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity] });
  return (await submit(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft))).txId;
}

/** Reads events until `count` of the wanted transactions are seen, checkpointing each event. */
async function readEvents(
  w: World, startBlock: bigint, checkpointFile: string, wanted: Set<string>, count: number,
): Promise<ChaincodeEvent[]> {
  const listener = connectAs(w.net, 3, 'User5');
  const checkpointer = await checkpointers.file(checkpointFile);
  const events = await listener.network.getChaincodeEvents(w.net.chaincode, { checkpoint: checkpointer, startBlock });
  const seen: ChaincodeEvent[] = [];
  try {
    for await (const event of events) {
      if (wanted.has(event.transactionId)) seen.push(event);
      await checkpointer.checkpointChaincodeEvent(event);
      if (seen.length === count) break;
    }
  } finally {
    events.close();
    listener.close();
  }
  return seen;
}

describe('chaincode events with a checkpointer (real network)', function () {
  this.timeout(120_000);

  it('resumes after a reconnect with no gap and no duplicate', async () => {
    const w = await getWorld();
    const startBlock = await peerHeight(w.operators[2].actor, w.net.channel);
    const checkpointFile = path.join(mkdtempSync(path.join(tmpdir(), 'il-events-')), 'checkpoint.json');
    const txIds: string[] = [];
    for (let i = 0; i < 3; i++) txIds.push(await registerDraft(w));
    const wanted = new Set(txIds);

    const firstRead = await readEvents(w, startBlock, checkpointFile, wanted, 2);
    expect(firstRead.map((e) => e.transactionId)).to.deep.equal(txIds.slice(0, 2));
    expect(firstRead.every((e) => e.eventName === ChaincodeEvents.ProtocolRegistered)).to.equal(true);

    // While nobody listens, two more transactions commit.
    for (let i = 0; i < 2; i++) {
      const txId = await registerDraft(w);
      txIds.push(txId);
      wanted.add(txId);
    }
    const resumed = await readEvents(w, startBlock, checkpointFile, wanted, 3);
    expect(resumed.map((e) => e.transactionId)).to.deep.equal(txIds.slice(2));
    const payload = JSON.parse(Buffer.from(resumed[0]?.payload ?? []).toString('utf8')) as Record<string, unknown>;
    expect(payload).to.have.property('txId', txIds[2]);
  });
});
