/** Bitstring Status List checks: published lists, set and clear bits, missing or forged lists. */
import { checkCredentialStatus, createStaticDocumentLoader, generateIssuerKey, StatusListRegistry, type IssuerKeyPair, type JsonObject } from '@impact-ledger/credentials';
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
    expect(await registry.publish(list, loader)).to.equal(undefined);
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
    expect(await registry.publish(altered, loader)).to.match(/proof does not verify/);
    expect(await registry.publish({ id: LIST, type: ['VerifiableCredential'] }, loader)).to.match(/not a BitstringStatusListCredential/);
    expect(await registry.publish(list, loader)).to.equal(undefined);
    const older = await signedStatusList(issuer, LIST, [], new Date(Date.now() - 86_400_000));
    expect(await registry.publish(older, loader)).to.match(/older/);
    const mallory = await generateIssuerKey();
    const other = new StatusListRegistry();
    expect(await other.publish(await signedStatusList(mallory, LIST, []), loader)).to.equal(undefined);
    expect((await checkCredentialStatus(credentialAt(43), other, loader))?.code).to.equal('STATUS_LIST_UNAVAILABLE');
  });

  it('keeps published lists in its directory across restarts', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'il-status-'));
    expect(await new StatusListRegistry(dir).publish(list, loader)).to.equal(undefined);
    expect(new StatusListRegistry(dir).get(LIST)).to.deep.equal(list);
  });
});
