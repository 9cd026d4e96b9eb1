/**
 * Contract statusLists (in-memory peer): issuers' Bitstring Status Lists live on the ledger.
 * Publication is for operators and status-publishers, of lists whose proof verifies and that
 * statusListAcceptance accepts against the list held and the trusted-issuer index (no takeover,
 * no rollback, nothing post-dated, judged at the transaction timestamp); claims:Submit reads the
 * lists a credential points to from the state and refuses a set bit (CREDENTIAL_REVOKED) or a
 * list it cannot check (STATUS_LIST_UNAVAILABLE), writing nothing.
 */
import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { Keys } from '@impact-ledger/chaincode';
import { generateIssuerKey, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
import { buildCast, claimDoc, expectClaimRefused, submitClaim, testIssuer, type Cast, type ClaimDoc } from '../../helpers/cast';
import { compositeKey, type Member } from '../../helpers/fake-fabric';
import { signedStatusList, statusEntry } from '../../helpers/status-lists';

const LIST = 'https://status.example/commute/1';
const MARCH = new Date('2026-03-01T00:00:00Z');
const MID_MARCH = new Date('2026-03-15T00:00:00Z');

function listKey(id: string): string {
  const key = Keys.statusList(id);
  return compositeKey(key.objectType, key.attributes);
}

describe('contract statusLists: status lists on the ledger (in-memory peer)', function () {
  this.timeout(60_000);
  let c: Cast;
  let issuer: IssuerKeyPair;
  let second: IssuerKeyPair;

  before(async () => {
    issuer = await testIssuer('first');
    second = await testIssuer('second');
  });
  beforeEach(async () => {
    c = await buildCast();
  });

  const publish = (member: Member, list: unknown) => c.net.invoke(member, 'statusLists:Publish', typeof list === 'string' ? list : JSON.stringify(list));

  async function expectPublishRefused(member: Member, list: unknown, code: string): Promise<void> {
    const before = new Map(c.net.world.entries);
    const outcome = await publish(member, list);
    expect(outcome.error?.code, outcome.message).to.equal(code);
    expect(c.net.world.entries).to.deep.equal(before);
  }

  it('an operator publishes a trusted issuer\'s list: one key written, at most 3 point reads, an event, readable with Get', async () => {
    const list = await signedStatusList(issuer, LIST, [5], MARCH);
    const outcome = await publish(c.op2, list);
    expect(outcome.ok, outcome.message).to.equal(true);
    expect([...outcome.writes.keys()]).to.deep.equal([listKey(LIST)]);
    expect(outcome.reads.size).to.be.at.most(3);
    expect(outcome.events.map((e) => e.name)).to.deep.equal(['StatusListPublished']);
    expect(outcome.result).to.include({ id: LIST, issuer: issuer.controller, validFrom: '2026-03-01T00:00:00Z' });
    expect(await c.net.ok(c.submitter1, 'statusLists:Get', LIST)).to.deep.equal(list);
    expect((await c.net.invoke(c.submitter1, 'statusLists:Get', 'https://status.example/none')).error?.code).to.equal('NOT_FOUND');
  });

  it('refuses a caller who is neither an operator nor a status-publisher (FORBIDDEN_ROLE); a granted status-publisher publishes', async () => {
    const list = await signedStatusList(issuer, LIST, [5], MARCH);
    await expectPublishRefused(c.submitter1, list, 'FORBIDDEN_ROLE');
    await c.net.ok(c.op1, 'roles:Grant', c.submitter1.identity, 'status-publisher');
    const outcome = await publish(c.submitter1, list);
    expect(outcome.ok, outcome.message).to.equal(true);
    expect(outcome.reads.size, 'role, trusted issuer, held list').to.equal(3);
  });

  it('refuses a list whose issuer no registered protocol version trusts (UNTRUSTED_ISSUER), and a non-list or an altered list (INVALID_STATUS_LIST)', async () => {
    const stranger = await generateIssuerKey({ seed: new Uint8Array(32).fill(77) });
    await expectPublishRefused(c.op1, await signedStatusList(stranger, 'https://status.example/stranger', [], MARCH), 'UNTRUSTED_ISSUER');
    await expectPublishRefused(c.op1, '{not json', 'INVALID_STATUS_LIST');
    await expectPublishRefused(c.op1, { id: LIST, type: ['VerifiableCredential'], issuer: issuer.controller }, 'INVALID_STATUS_LIST');
    const list = await signedStatusList(issuer, LIST, [5], MARCH);
    const cleared = await signedStatusList(issuer, LIST, [], MARCH);
    const altered = { ...list, credentialSubject: cleared.credentialSubject };
    await expectPublishRefused(c.op1, altered, 'INVALID_STATUS_LIST');
    // malformed JSON-LD makes the verifier throw: still a refusal with its code, never INTERNAL
    await expectPublishRefused(c.op1, { ...list, '@context': 42 }, 'INVALID_STATUS_LIST');
    await expectPublishRefused(c.op1, { ...list, proof: 'not a proof' }, 'INVALID_STATUS_LIST');
  });

  it('binds a list id to its first issuer: another trusted issuer\'s list under that id is refused (STATUS_LIST_ISSUER_MISMATCH), even dated 9999', async () => {
    const list = await signedStatusList(issuer, LIST, [5], MARCH);
    await c.net.ok(c.op1, 'statusLists:Publish', JSON.stringify(list));
    await expectPublishRefused(c.op2, await signedStatusList(second, LIST, [0, 1, 2, 3, 4, 5, 6], MID_MARCH), 'STATUS_LIST_ISSUER_MISMATCH');
    await expectPublishRefused(c.op2, await signedStatusList(second, LIST, [0, 1, 2], new Date('9999-01-01T00:00:00Z')), 'STATUS_LIST_ISSUER_MISMATCH');
    expect(await c.net.ok(c.op1, 'statusLists:Get', LIST)).to.deep.equal(list);
  });

  it('refuses a rollback to an older list (STATUS_LIST_ROLLBACK) and a post-dated list (STATUS_LIST_NOT_YET_VALID, judged at the transaction timestamp)', async () => {
    await c.net.ok(c.op1, 'statusLists:Publish', JSON.stringify(await signedStatusList(issuer, LIST, [5], MID_MARCH)));
    await expectPublishRefused(c.op1, await signedStatusList(issuer, LIST, [], MARCH), 'STATUS_LIST_ROLLBACK');
    await expectPublishRefused(c.op1, await signedStatusList(issuer, LIST, [], new Date('2026-05-01T00:00:00Z')), 'STATUS_LIST_NOT_YET_VALID');
    await expectPublishRefused(c.op1, await signedStatusList(issuer, 'https://status.example/new', [], new Date('2026-05-01T00:00:00Z')), 'STATUS_LIST_NOT_YET_VALID');
    const newer = await signedStatusList(issuer, LIST, [5, 6], new Date('2026-03-20T00:00:00Z'));
    const outcome = await publish(c.op1, newer);
    expect(outcome.ok, outcome.message).to.equal(true);
    expect(outcome.events[0]?.payload).to.include({ replaced: true });
  });

  describe('claims:Submit reads the status bits from the ledger', () => {
    const expectRefused = (doc: ClaimDoc, code: string): Promise<void> => expectClaimRefused(c.net, c.submitter1, doc, code);
    const withStatus = (subject: string, entry: JsonObject | JsonObject[]) => claimDoc(c.p1, { subject, credentialStatus: entry });

    it('refuses a credential whose bit is set (CREDENTIAL_REVOKED), accepts one whose bit is clear (one extra read)', async () => {
      await c.net.ok(c.op1, 'statusLists:Publish', JSON.stringify(await signedStatusList(issuer, LIST, [5], MARCH)));
      await expectRefused(await withStatus('revoked', statusEntry(LIST, 5)), 'CREDENTIAL_REVOKED');
      const current = await submitClaim(c.net, c.submitter1, await withStatus('current', statusEntry(LIST, 6)));
      expect(current.ok, current.message).to.equal(true);
      expect(current.reads.has(listKey(LIST)), 'the list is in the read set').to.equal(true);
      // the issuer revokes index 7 by publishing a newer list: the next submission is refused
      await c.net.ok(c.op1, 'statusLists:Publish', JSON.stringify(await signedStatusList(issuer, LIST, [5, 7], MID_MARCH)));
      await expectRefused(await withStatus('later', statusEntry(LIST, 7)), 'CREDENTIAL_REVOKED');
      await expectRefused(await withStatus('several', [statusEntry(LIST, 6), statusEntry(LIST, 7)]), 'CREDENTIAL_REVOKED');
    });

    it('gives identical read and write sets on two peers for the same publication and the same claim', async () => {
      const other = await buildCast();
      const list = JSON.stringify(await signedStatusList(issuer, LIST, [5], MARCH));
      const [pa, pb] = [await c.net.invoke(c.op1, 'statusLists:Publish', list), await other.net.invoke(other.op1, 'statusLists:Publish', list)];
      expect(pa.ok && pb.ok, pa.message || pb.message).to.equal(true);
      expect([...pa.writes]).to.deep.equal([...pb.writes]);
      const doc = await withStatus('twin', statusEntry(LIST, 6));
      const [a, b] = [await submitClaim(c.net, c.submitter1, doc), await submitClaim(other.net, other.submitter1, doc)];
      expect(a.ok && b.ok, a.message || b.message).to.equal(true);
      expect([...a.writes]).to.deep.equal([...b.writes]);
      expect([...a.reads].sort()).to.deep.equal([...b.reads].sort());
    });

    it('refuses a credential whose list is not on the ledger, or is another issuer\'s (STATUS_LIST_UNAVAILABLE)', async () => {
      await expectRefused(await withStatus('missing', statusEntry(LIST, 5)), 'STATUS_LIST_UNAVAILABLE');
      const foreign = 'https://status.example/second/1';
      await c.net.ok(c.op1, 'statusLists:Publish', JSON.stringify(await signedStatusList(second, foreign, [], MARCH)));
      await expectRefused(await withStatus('foreign', statusEntry(foreign, 5)), 'STATUS_LIST_UNAVAILABLE');
    });
  });
});
