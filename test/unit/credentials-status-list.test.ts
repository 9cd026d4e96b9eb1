/**
 * Bitstring Status List checks of @impact-ledger/credentials: set and clear bits, missing, forged,
 * foreign or expired lists, judged at a given time; the proof check of a list to publish; the
 * pure acceptance rule. (Publication itself is the chaincode's: test/unit/contracts/status-lists.test.ts.)
 */
import {
  checkCredentialStatus, createStaticDocumentLoader, generateIssuerKey, signCredential, statusListAcceptance, statusListUrlsOf, verifyStatusListCredential,
  type IssuerKeyPair, type JsonObject,
} from '@impact-ledger/credentials';
import { expect } from 'chai';
import { signedStatusList, statusEntry } from '../helpers/status-lists';

describe('credentials: Bitstring Status List', function () {
  this.timeout(60_000);
  const loader = createStaticDocumentLoader();
  const LIST = 'https://issuer.example/status/1';
  let issuer: IssuerKeyPair;
  let list: JsonObject;
  const now = () => new Date();

  const credentialAt = (index: number, listId = LIST): JsonObject => ({ issuer: issuer.controller, credentialStatus: statusEntry(listId, index) });
  const holding = (...lists: JsonObject[]) => new Map(lists.map((l) => [String(l.id), l]));

  before(async () => {
    issuer = await generateIssuerKey();
    list = await signedStatusList(issuer, LIST, [7, 42]);
  });

  it('serves the bitstring status list context from the bundled package', async () => {
    const context = await loader('https://www.w3.org/ns/credentials/status/v1');
    expect(JSON.stringify(context.document)).to.contain('BitstringStatusList');
  });

  it('refuses a credential whose bit is set (CREDENTIAL_REVOKED), accepts one whose bit is clear', async () => {
    const revoked = await checkCredentialStatus(credentialAt(42), holding(list), loader, now());
    expect(revoked?.code).to.equal('CREDENTIAL_REVOKED');
    expect(revoked?.details).to.include({ statusListIndex: '42', statusPurpose: 'revocation' });
    expect(await checkCredentialStatus(credentialAt(43), holding(list), loader, now())).to.equal(undefined);
    expect(await checkCredentialStatus({ issuer: issuer.controller }, holding(), loader, now())).to.equal(undefined);
  });

  it('refuses a credential whose list is not held (STATUS_LIST_UNAVAILABLE): never fetched', async () => {
    const refusal = await checkCredentialStatus(credentialAt(1, 'https://issuer.example/status/unknown'), holding(list), loader, now());
    expect(refusal?.code).to.equal('STATUS_LIST_UNAVAILABLE');
  });

  it('refuses (STATUS_LIST_UNAVAILABLE) a list of another issuer, an altered list, and a list not valid at the given time', async () => {
    const mallory = await generateIssuerKey();
    expect((await checkCredentialStatus(credentialAt(43), holding(await signedStatusList(mallory, LIST, [])), loader, now()))?.code).to.equal('STATUS_LIST_UNAVAILABLE');
    const subject = list.credentialSubject as JsonObject;
    const altered = { ...list, credentialSubject: { ...subject, encodedList: (await signedStatusList(issuer, LIST, []) as { credentialSubject: { encodedList: string } }).credentialSubject.encodedList } };
    expect((await checkCredentialStatus(credentialAt(42), holding(altered), loader, now()))?.code).to.equal('STATUS_LIST_UNAVAILABLE');
    const dated = await signedStatusList(issuer, LIST, [42], new Date('2026-05-01T00:00:00Z'));
    expect((await checkCredentialStatus(credentialAt(42), holding(dated), loader, new Date('2026-04-01T00:00:00Z')))?.code, 'before its validFrom').to.equal('STATUS_LIST_UNAVAILABLE');
    expect((await checkCredentialStatus(credentialAt(42), holding(dated), loader, new Date('2026-05-02T00:00:00Z')))?.code, 'judged at the given time').to.equal('CREDENTIAL_REVOKED');
  });

  it('names the distinct lists a credential points to, sorted', () => {
    expect(statusListUrlsOf({ credentialStatus: [statusEntry('https://b.example/1', 1), statusEntry('https://a.example/1', 2), statusEntry('https://b.example/1', 3)] }))
      .to.deep.equal(['https://a.example/1', 'https://b.example/1']);
    expect(statusListUrlsOf({})).to.deep.equal([]);
  });

  it('verifyStatusListCredential: refuses an altered list or a non-list (INVALID_STATUS_LIST), accepts a signed list', async () => {
    const subject = list.credentialSubject as JsonObject;
    const altered = { ...list, credentialSubject: { ...subject, encodedList: (await signedStatusList(issuer, LIST, []) as { credentialSubject: { encodedList: string } }).credentialSubject.encodedList } };
    expect((await verifyStatusListCredential(altered, loader, now()))?.message).to.match(/proof does not verify/);
    expect((await verifyStatusListCredential({ id: LIST, type: ['VerifiableCredential'] }, loader, now()))?.code).to.equal('INVALID_STATUS_LIST');
    const { proof: _proof, ...unsigned } = list;
    const unsignedish = await signCredential(unsigned, await generateIssuerKey(), { date: new Date() });
    expect((await verifyStatusListCredential(unsignedish, loader, now()))?.code, 'signed by a key that is not its issuer\'s').to.equal('INVALID_STATUS_LIST');
    expect(await verifyStatusListCredential(list, loader, now())).to.equal(undefined);
  });

  it('statusListAcceptance: trusted issuer, list id bound to its first issuer, no future date, no rollback (a pure rule)', () => {
    const at = new Date('2026-06-01T00:00:00Z');
    const held = { id: LIST, issuer: 'did:key:zA', validFrom: '2026-05-01T00:00:00Z' };
    expect(statusListAcceptance({ ...held, validFrom: '2026-05-31T00:00:00Z' }, held, ['did:key:zA'], at)).to.equal(undefined);
    expect(statusListAcceptance(held, undefined, ['did:key:zA'], at)).to.equal(undefined);
    expect(statusListAcceptance(held, undefined, ['did:key:zB'], at)?.code).to.equal('UNTRUSTED_ISSUER');
    expect(statusListAcceptance({ ...held, issuer: 'did:key:zB' }, held, ['did:key:zA', 'did:key:zB'], at)?.code).to.equal('STATUS_LIST_ISSUER_MISMATCH');
    expect(statusListAcceptance({ ...held, validFrom: '9999-01-01T00:00:00Z' }, held, ['did:key:zA'], at)?.code).to.equal('STATUS_LIST_NOT_YET_VALID');
    expect(statusListAcceptance({ ...held, validFrom: '2026-04-01T00:00:00Z' }, held, ['did:key:zA'], at)?.code).to.equal('STATUS_LIST_ROLLBACK');
  });
});
