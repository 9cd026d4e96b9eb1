/**
 * claims:Submit verifies the credential itself, on the endorsing peer, from the proposal's
 * transient data: what the claim anchors (hash, pseudonym, quantity, period, issuer) is derived
 * from the credential, and every forged, altered, untrusted, expired or backdated submission is
 * refused with the code the gateway gives, writing nothing.
 */
import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { CREDENTIAL_TRANSIENT_KEY } from '@impact-ledger/chaincode/domain';
import { generateIssuerKey, signCredential, type JsonObject } from '@impact-ledger/credentials';
import { buildCast, claimDoc, expectClaimRefused, hashOf, protocolDoc, registerAndActivate, submitClaim, testIssuer, type Cast, type ClaimDoc } from '../../helpers/cast';
import { commuteCredential, conformanceVector } from '../../helpers/credentials-fixtures';

interface Claim { id: string; credentialHash: string; subjectPseudonym: string; quantity: number; periodStart: string; periodEnd: string; issuer: string }

/** `doc` with its credential replaced by `credential` (same public argument and salt). */
function withCredential(doc: ClaimDoc, credential: JsonObject): ClaimDoc {
  return { ...doc, credential, transient: { ...doc.transient, [CREDENTIAL_TRANSIENT_KEY]: JSON.stringify(credential) } };
}

function altered(doc: ClaimDoc, change: (credential: JsonObject) => void): ClaimDoc {
  const credential = structuredClone(doc.credential);
  change(credential);
  return withCredential(doc, credential);
}

function subjectOf(credential: JsonObject): JsonObject {
  return credential.credentialSubject as JsonObject;
}

describe('contract claims: credential verified at endorsement (in-memory peer)', function () {
  this.timeout(30_000);
  let c: Cast;
  beforeEach(async () => {
    c = await buildCast();
  });

  const expectRefused = (doc: ClaimDoc, code: string): Promise<void> => expectClaimRefused(c.net, c.submitter1, doc, code);

  it('derives hash, pseudonym, quantity, period and issuer from the credential itself', async () => {
    const doc = await claimDoc(c.p1, { subject: 'zoe', quantity: 4321, periodStart: '2026-02-01', periodEnd: '2026-02-10' });
    const outcome = await submitClaim<Claim>(c.net, c.submitter1, doc);
    expect(outcome.ok, outcome.message).to.equal(true);
    expect(outcome.result).to.include({
      credentialHash: doc.credentialHash, subjectPseudonym: doc.subjectPseudonym, quantity: 4321, periodStart: '2026-02-01', periodEnd: '2026-02-10', issuer: doc.issuer,
    });
    for (const value of [...outcome.writes.values()]) expect(value ?? '').to.not.contain('did:example:zoe', 'the subject id never reaches the state');
  });

  it('gives identical read and write sets on two peers for the same proposal', async () => {
    const other = await buildCast();
    const doc = await claimDoc(c.p1, { subject: 'twin' });
    const [a, b] = [await submitClaim(c.net, c.submitter1, doc), await submitClaim(other.net, other.submitter1, doc)];
    expect(a.ok && b.ok, a.message || b.message).to.equal(true);
    expect([...a.writes]).to.deep.equal([...b.writes]);
    expect([...a.reads].sort()).to.deep.equal([...b.reads].sort());
  });

  it('refuses a changed quantity, a changed period and a forged signature (INVALID_SIGNATURE)', async () => {
    const doc = await claimDoc(c.p1, { subject: 'mallory' });
    await expectRefused(altered(doc, (cred) => { subjectOf(cred).quantity = 999_999_999; }), 'INVALID_SIGNATURE');
    await expectRefused(altered(doc, (cred) => { subjectOf(cred).activityPeriodEnd = '2026-03-30'; }), 'INVALID_SIGNATURE');
    await expectRefused(altered(doc, (cred) => { subjectOf(cred).id = 'did:example:someone-else'; }), 'INVALID_SIGNATURE');
    await expectRefused(altered(doc, (cred) => {
      const proof = cred.proof as JsonObject;
      const value = String(proof.proofValue);
      proof.proofValue = `${value.slice(0, -4)}${value.endsWith('1111') ? '2222' : '1111'}`;
    }), 'INVALID_SIGNATURE');
  });

  it('refuses a credential of an issuer the protocol does not trust (UNTRUSTED_ISSUER)', async () => {
    const stranger = await generateIssuerKey({ seed: new Uint8Array(32).fill(9) });
    const doc = await claimDoc(c.p1, { subject: 'trudy' });
    const credential = await signCredential(commuteCredential(stranger.controller, {
      fields: { validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-06-01T00:00:00Z' },
      subject: { id: 'did:example:trudy', activityPeriodStart: '2026-03-01', activityPeriodEnd: '2026-03-31', quantity: 10_000 },
    }), stranger, { date: '2026-01-01T00:00:00Z' });
    await expectRefused(withCredential(doc, credential), 'UNTRUSTED_ISSUER');
  });

  it('judges validity at the transaction timestamp: expired and not-yet-valid credentials are refused', async () => {
    const issuer = await testIssuer();
    const doc = await claimDoc(c.p1, { subject: 'old' });
    const sign = (validFrom: string, validUntil: string) => signCredential(commuteCredential(issuer.controller, {
      fields: { validFrom, validUntil },
      subject: { id: 'did:example:old', activityPeriodStart: '2025-03-01', activityPeriodEnd: '2025-03-31', quantity: 10_000 },
    }), issuer, { date: validFrom });
    await expectRefused(withCredential(doc, await sign('2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z')), 'CREDENTIAL_EXPIRED');
    await expectRefused(withCredential(doc, await sign('2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z')), 'CREDENTIAL_NOT_YET_VALID');
  });

  it('refuses a transaction timestamp more than 5 minutes from the peer\'s clock (TX_TIMESTAMP_SKEW), reading nothing', async () => {
    const doc = await claimDoc(c.p1, { subject: 'backdated' });
    for (const skew of [6 * 60_000, -6 * 60_000]) {
      c.net.peerClockSkewMs = skew;
      const outcome = await submitClaim(c.net, c.submitter1, doc);
      expect(outcome.error?.code, `peer clock ${skew} ms from the timestamp`).to.equal('TX_TIMESTAMP_SKEW');
      expect(outcome.reads.size).to.equal(0);
      expect(outcome.writes.size).to.equal(0);
    }
    c.net.peerClockSkewMs = 4 * 60_000;
    expect((await submitClaim(c.net, c.submitter1, doc)).ok, 'within the tolerance').to.equal(true);
  });

  it('refuses a proposal without its credential, or with one that is not JSON (INVALID_CREDENTIAL)', async () => {
    const doc = await claimDoc(c.p1, { subject: 'nobody' });
    await expectRefused({ ...doc, transient: {} }, 'INVALID_CREDENTIAL');
    await expectRefused({ ...doc, transient: { ...doc.transient, [CREDENTIAL_TRANSIENT_KEY]: '{not json' } }, 'INVALID_CREDENTIAL');
  });

  it('refuses the old argument list: a client-chosen hash, pseudonym, period or quantity (INVALID_ARGUMENT)', async () => {
    const doc = await claimDoc(c.p1, { subject: 'oldstyle' });
    const old = {
      protocolId: c.p1.id, protocolVersion: 1, credentialHash: hashOf('made-up'), subjectPseudonym: hashOf('victim'),
      periodStart: '2026-03-01', periodEnd: '2026-03-31', quantity: 999_999_999, proofLevel: 'computed', evidenceHashes: [],
    };
    const outcome = await c.net.invokeWith(c.submitter1, 'claims:Submit', [JSON.stringify(old)], doc.transient);
    expect(outcome.error?.code).to.equal('INVALID_ARGUMENT');
    expect(outcome.writes.size).to.equal(0);
    const extra = await c.net.invokeWith(c.submitter1, 'claims:Submit', [JSON.stringify({ ...JSON.parse(doc.args) as object, quantity: 1 })], doc.transient);
    expect(extra.error?.details?.field).to.equal('claim.quantity');
  });

  it('verifies the W3C vc-di-eddsa vector inside the chaincode with the protocol\'s issuer keys', async () => {
    const { credential, issuer, keyPair } = conformanceVector();
    const protocol = await registerAndActivate(c.net, c.op1, protocolDoc({
      id: 'alumni', category: 'alumni', verifiers: [c.verA.identity], validators: [c.validator1.identity],
      trustedIssuers: [issuer], issuerKeys: [{ controller: issuer, keys: [{ id: keyPair.id, publicKeyMultibase: keyPair.publicKeyMultibase }] }],
      subjectSchema: { type: 'object', required: ['alumniOf'], properties: { alumniOf: { type: 'string' } } },
    }));
    const doc = withCredential(await claimDoc(protocol, { subject: 'alumni' }), credential);
    // proof, issuer, validity and subject schema pass: only the claim's own demand (an integer quantity) refuses it
    await expectRefused(doc, 'INVALID_QUANTITY');
    await expectRefused(altered(doc, (cred) => { subjectOf(cred).alumniOf = 'Another School'; }), 'INVALID_SIGNATURE');
    const withoutKeys = await registerAndActivate(c.net, c.op1, protocolDoc({
      id: 'alumni-nokeys', category: 'alumni-nokeys', verifiers: [c.verA.identity], validators: [c.validator1.identity],
      trustedIssuers: [issuer], subjectSchema: { type: 'object' },
    }));
    await expectRefused(withCredential(await claimDoc(withoutKeys, { subject: 'alumni' }), credential), 'INVALID_SIGNATURE');
  });
});
