import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { chaincodeEventNames, isChaincodeEventName } from '@impact-ledger/chaincode/events';
import { buildCast, claimDoc, hashOf, protocolDoc, submitClaim, testIssuer, type Cast, type ClaimDoc } from '../../helpers/cast';
import { FakeNetwork, type TxOutcome } from '../../helpers/fake-fabric';
import { signedStatusList } from '../../helpers/status-lists';

/** Every `contract:Function` the chaincode publishes, split by its SUBMIT / EVALUATE tag. */
function publishedTransactions(c: Cast): { submit: string[]; evaluate: string[] } {
  const metadata = c.net.metadata();
  const all = Object.values(metadata.contracts)
    .filter((contract) => contract.name !== 'org.hyperledger.fabric')
    .flatMap((contract) => contract.transactions.map((t) => ({ fn: `${contract.name}:${t.name}`, submit: t.tag.includes('SUBMIT') })));
  return { submit: all.filter((t) => t.submit).map((t) => t.fn).sort(), evaluate: all.filter((t) => !t.submit).map((t) => t.fn).sort() };
}

describe('events: one per state-changing transaction', () => {
  it('every successful submit transaction emits exactly one event named in events.ts; evaluations emit none and write nothing', async () => {
    const c = await buildCast();
    const run: { fn: string; outcome: TxOutcome }[] = [];
    const tx = async (member: Parameters<typeof c.net.invoke>[0], fn: string, ...args: string[]): Promise<TxOutcome> => {
      const outcome = await c.net.invoke(member, fn, ...args);
      expect(outcome.ok, `${fn}: ${outcome.message}`).to.equal(true);
      run.push({ fn, outcome });
      return outcome;
    };
    const idOf = (o: TxOutcome) => (o.result as { id: string }).id;
    const submitted = async (member: Parameters<typeof c.net.invoke>[0], doc: ClaimDoc): Promise<TxOutcome> => {
      const outcome = await submitClaim(c.net, member, doc);
      expect(outcome.ok, `claims:Submit: ${outcome.message}`).to.equal(true);
      run.push({ fn: 'claims:Submit', outcome });
      return outcome;
    };

    await tx(c.op1, 'roles:Grant', c.net.member('Org1MSP', 'User7@org1').identity, 'funder');
    await tx(c.op1, 'roles:Revoke', c.net.member('Org1MSP', 'User7@org1').identity, 'funder');
    await tx(c.op1, 'protocols:Register', JSON.stringify(protocolDoc({ id: 'ev', verifiers: [c.verA.identity], validators: [c.validator1.identity] })));
    await tx(c.op1, 'protocols:Activate', 'ev', '1');
    await tx(c.op1, 'protocols:Suspend', 'ev', '1');
    await tx(c.op1, 'protocols:Retire', 'ev', '1');
    const kept = idOf(await submitted(c.submitter1, await claimDoc(c.p1)));
    const dropped = idOf(await submitted(c.submitter1, await claimDoc(c.p1, { subject: 'x' })));
    const refused = idOf(await submitted(c.submitter1, await claimDoc(c.p1, { subject: 'y' })));
    await tx(c.submitter1, 'claims:Withdraw', dropped);
    await tx(c.verA, 'claims:Verify', kept, 'approve', '100', hashOf('r'));
    await tx(c.verB, 'claims:Verify', kept, 'approve', '100', hashOf('r'));
    await tx(c.verB, 'claims:Verify', refused, 'reject', '0', hashOf('r'));
    await tx(c.verC, 'claims:Verify', refused, 'reject', '0', hashOf('r'));
    const proofId = idOf(await tx(c.validator1, 'claims:Validate', kept, '100'));
    const moved = (await tx(c.submitter1, 'proofs:Transfer', proofId, c.funder.identity, '40', '')).result as { moved: { id: string }; remainder: { id: string } };
    await tx(c.funder, 'proofs:Retire', moved.moved.id, '10', 'b', 'p');
    await tx(c.op2, 'proofs:CompactTotals', 'B', 'gCO2e', '');
    const campaign = { id: 'ev-campaign', name: 'c', protocols: ['commute'], currency: 'EUR', budget: 1000, pricePerUnit: 2, criteria: { periodStart: '2026-01-01', periodEnd: '2026-12-31' } };
    await tx(c.funder, 'campaigns:Open', JSON.stringify(campaign));
    await tx(c.funder, 'campaigns:SetBudget', 'ev-campaign', '2000');
    await tx(c.funder, 'campaigns:Settle', 'ev-campaign', moved.remainder.id);
    await tx(c.funder, 'campaigns:Close', 'ev-campaign');
    const flag = (await tx(c.op1, 'revocation:Flag', 'credential', (await claimDoc(c.p1)).credentialHash, 'revoked')).result as { flag: { id: string } };
    await tx(c.op1, 'revocation:ContinueCascade', flag.flag.id);
    await tx(c.op1, 'revocation:Clear', flag.flag.id);
    const statusList = 'https://status.example/ev/1';
    await tx(c.op1, 'statusLists:Publish', JSON.stringify(await signedStatusList(await testIssuer(), statusList, [3], new Date('2026-03-01T00:00:00Z'))));

    // the pseudonym secret is set once per network (buildCast did it): set it on a fresh one
    const fresh = new FakeNetwork();
    const secretSet = await fresh.invokeWith(fresh.member('Org2MSP', 'Admin@org2', 'admin'), 'system:SetPseudonymSecret', [], { pseudonymSecret: 's'.repeat(40) });
    expect(secretSet.ok, secretSet.message).to.equal(true);
    run.push({ fn: 'system:SetPseudonymSecret', outcome: secretSet });

    const published = publishedTransactions(c);
    expect([...new Set(run.map((r) => r.fn))].sort(), 'the scenario covers every submit transaction').to.deep.equal(published.submit);
    for (const { fn, outcome } of run) {
      expect(outcome.events, fn).to.have.length(1);
      expect(isChaincodeEventName(outcome.events[0]?.name ?? ''), `${fn} emitted ${outcome.events[0]?.name}`).to.equal(true);
      expect(outcome.events[0]?.payload.txId, fn).to.equal(outcome.txId);
    }
    const emitted = new Set(run.map((r) => r.outcome.events[0]?.name));
    expect([...emitted].sort(), 'every event name is used').to.deep.equal([...chaincodeEventNames]);

    const evaluations: [string, ...string[]][] = [
      ['system:Ping'], ['roles:WhoAmI'], ['roles:List', 'Org1MSP', '10', ''], ['roles:History', c.submitter1.identity, '10', ''],
      ['protocols:Get', 'commute', '1'], ['protocols:ListVersions', 'commute', '10', ''], ['protocols:List', '10', ''],
      ['claims:Get', kept], ['claims:GetByCredentialHash', (await claimDoc(c.p1)).credentialHash], ['claims:Verifications', kept],
      ['claims:List', '', '10', ''], ['proofs:Get', proofId], ['proofs:Provenance', moved.moved.id],
      ['proofs:ListByOwner', c.funder.identity, '10', ''], ['proofs:ListByProtocol', 'commute', '1', '10', ''],
      ['proofs:ListByStatus', 'active', '10', ''], ['proofs:Totals', ''], ['revocation:Get', flag.flag.id],
      ['campaigns:Get', 'ev-campaign'], ['campaigns:List', '10', ''], ['campaigns:Progress', 'ev-campaign'], ['campaigns:Settlements', 'ev-campaign', '10', ''], ['campaigns:ExportRows', 'ev-campaign', '2026-03', '10', ''],
      ['campaigns:SettlementOf', moved.remainder.id], ['statusLists:Get', statusList],
    ];
    expect(evaluations.map(([fn]) => fn).sort(), 'every evaluate transaction is exercised').to.deep.equal(published.evaluate);
    for (const [fn, ...args] of evaluations) {
      const outcome = await c.net.invoke(c.funder, fn, ...args);
      expect(outcome.ok, `${fn}: ${outcome.message}`).to.equal(true);
      expect(outcome.events, fn).to.have.length(0);
      expect(outcome.writes.size, fn).to.equal(0);
    }
  });

  it('a refused transaction commits nothing, whatever it emitted or wrote', async () => {
    const c = await buildCast();
    const before = new Map(c.net.world.entries);
    const committed = c.net.committed.length;
    const outcome = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1, { proofLevel: 'guessed' }));
    expect(outcome.error?.code).to.equal('INVALID_ARGUMENT');
    expect(c.net.world.entries).to.deep.equal(before);
    expect(c.net.committed.length).to.equal(committed);
  });

  it('reports unexpected failures as INTERNAL without a stack, and unknown functions by name', async () => {
    const c = await buildCast();
    c.net.world.entries.set('\u0000il.claim\u0000' + 'd'.repeat(64) + '\u0000', Buffer.from('not json'));
    const corrupt = await c.net.invoke(c.funder, 'claims:Get', 'd'.repeat(64));
    expect(corrupt.error?.code).to.equal('CORRUPT_STATE');
    const unknown = await c.net.invoke(c.funder, 'claims:Steal', 'x');
    expect(unknown.error?.code).to.equal('INVALID_ARGUMENT');
    expect(unknown.error?.details?.function).to.equal('claims:Steal');
    c.net.world.entries.set('\u0000il.claim\u0000' + 'e'.repeat(64) + '\u0000', Buffer.from('{"id":1}'));
    const malformed = await c.net.invoke(c.funder, 'claims:Get', 'e'.repeat(64));
    expect(malformed.error?.code).to.equal('CORRUPT_STATE');
    expect(malformed.message).to.not.contain('    at ');
  });
});
