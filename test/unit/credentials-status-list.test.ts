/** Bitstring Status List checks: published lists, set and clear bits, missing or forged lists. */
import { checkCredentialStatus, createStaticDocumentLoader, generateIssuerKey, statusListAcceptance, StatusListRegistry, type IssuerKeyPair, type JsonObject, type PublishPolicy } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signedStatusList, statusEntry } from '../helpers/status-lists';

describe('credentials: Bitstring Status List', function () {
  this.timeout(60_000);
  const loader = createStaticDocumentLoader();
  const LIST = 'https://issuer.example/status/1';
  let issuer: IssuerKeyPair;
  let list: JsonObject;

  /** The issuer is trusted by a registered protocol; the clock is now. */
  const trusting = (...issuers: IssuerKeyPair[]): PublishPolicy => ({ trustedIssuers: issuers.map((i) => i.controller), now: new Date() });
  const credentialAt = (index: number, listId = LIST): JsonObject => ({ issuer: issuer.controller, credentialStatus: statusEntry(listId, index) });

  before(async () => {
    issuer = await generateIssuerKey();
    list = await signedStatusList(issuer, LIST, [7, 42]);
  });

  it('serves the bitstring status list context from the bundled package', async () => {
    const context = await loader('https://www.w3.org/ns/credentials/status/v1');
    expect(JSON.stringify(context.document)).to.contain('BitstringStatusList');
  });

  it('refuses a credential whose bit is set (CREDENTIAL_REVOKED), accepts one whose bit is clear', async () => {
    const registry = new StatusListRegistry();
    expect(await registry.publish(list, loader, trusting(issuer))).to.equal(undefined);
    const revoked = await checkCredentialStatus(credentialAt(42), registry, loader);
    expect(revoked?.code).to.equal('CREDENTIAL_REVOKED');
    expect(revoked?.details).to.include({ statusListIndex: '42', statusPurpose: 'revocation' });
    expect(await checkCredentialStatus(credentialAt(43), registry, loader)).to.equal(undefined);
    expect(await checkCredentialStatus({ issuer: issuer.controller }, registry, loader)).to.equal(undefined);
  });

  it('refuses a credential whose list is not published (STATUS_LIST_UNAVAILABLE): never fetched', async () => {
    const refusal = await checkCredentialStatus(credentialAt(1, 'https://issuer.example/status/unknown'), new StatusListRegistry(), loader);
    expect(refusal?.code).to.equal('STATUS_LIST_UNAVAILABLE');
  });

  it('refuses to publish an altered list, an older list, or a non-list; a list of another issuer does not vouch', async () => {
    const registry = new StatusListRegistry();
    const subject = list.credentialSubject as JsonObject;
    const altered = { ...list, credentialSubject: { ...subject, encodedList: (await signedStatusList(issuer, LIST, []) as { credentialSubject: { encodedList: string } }).credentialSubject.encodedList } };
    expect((await registry.publish(altered, loader, trusting(issuer)))?.message).to.match(/proof does not verify/);
    expect((await registry.publish({ id: LIST, type: ['VerifiableCredential'] }, loader, trusting(issuer)))?.code).to.equal('INVALID_STATUS_LIST');
    expect(await registry.publish(list, loader, trusting(issuer))).to.equal(undefined);
    const older = await signedStatusList(issuer, LIST, [], new Date(Date.now() - 86_400_000));
    expect(await registry.publish(older, loader, trusting(issuer))).to.include({ code: 'STATUS_LIST_ROLLBACK' });
    const mallory = await generateIssuerKey();
    const other = new StatusListRegistry();
    expect(await other.publish(await signedStatusList(mallory, LIST, []), loader, trusting(issuer, mallory))).to.equal(undefined);
    expect((await checkCredentialStatus(credentialAt(43), other, loader))?.code).to.equal('STATUS_LIST_UNAVAILABLE');
  });

  it('never lets another key replace an issuer\'s list: not by a list dated 9999, not even when that key is trusted too', async () => {
    const registry = new StatusListRegistry();
    expect(await registry.publish(list, loader, trusting(issuer))).to.equal(undefined);
    const mallory = await generateIssuerKey();
    const takeover = await signedStatusList(mallory, LIST, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 42, 43], new Date('9999-01-01T00:00:00Z'));
    expect(await registry.publish(takeover, loader, trusting(issuer)), 'an untrusted key').to.include({ code: 'UNTRUSTED_ISSUER' });
    expect(await registry.publish(takeover, loader, trusting(issuer, mallory)), 'a key trusted by another protocol').to.include({ code: 'STATUS_LIST_ISSUER_MISMATCH' });
    expect(registry.get(LIST)).to.deep.equal(list);
    expect(await checkCredentialStatus(credentialAt(43), registry, loader), 'credentials on the list still check').to.equal(undefined);
    const update = await signedStatusList(issuer, LIST, [7, 42, 43]);
    expect(await registry.publish(update, loader, trusting(issuer)), 'the real issuer still updates its list').to.equal(undefined);
    expect((await checkCredentialStatus(credentialAt(43), registry, loader))?.code).to.equal('CREDENTIAL_REVOKED');
  });

  it('statusListAcceptance: trusted issuer, list id bound to its first issuer, no future date, no rollback (a pure rule)', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const held = { id: LIST, issuer: 'did:key:zA', validFrom: '2026-05-01T00:00:00Z' };
    expect(statusListAcceptance({ ...held, validFrom: '2026-05-31T00:00:00Z' }, held, ['did:key:zA'], now)).to.equal(undefined);
    expect(statusListAcceptance(held, undefined, ['did:key:zA'], now)).to.equal(undefined);
    expect(statusListAcceptance(held, undefined, ['did:key:zB'], now)?.code).to.equal('UNTRUSTED_ISSUER');
    expect(statusListAcceptance({ ...held, issuer: 'did:key:zB' }, held, ['did:key:zA', 'did:key:zB'], now)?.code).to.equal('STATUS_LIST_ISSUER_MISMATCH');
    expect(statusListAcceptance({ ...held, validFrom: '9999-01-01T00:00:00Z' }, held, ['did:key:zA'], now)?.code).to.equal('STATUS_LIST_NOT_YET_VALID');
    expect(statusListAcceptance({ ...held, validFrom: '2026-04-01T00:00:00Z' }, held, ['did:key:zA'], now)?.code).to.equal('STATUS_LIST_ROLLBACK');
  });

  it('keeps published lists in its directory across restarts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'il-status-'));
    expect(await new StatusListRegistry(dir).publish(list, loader, trusting(issuer))).to.equal(undefined);
    expect(new StatusListRegistry(dir).get(LIST)).to.deep.equal(list);
  });
});
