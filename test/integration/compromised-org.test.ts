/**
 * A compromised organisation (real Fabric network): Org1's operator holds every key of Org1
 * (operator, submitter, verifiers, validator, its peer's endorsements) and bypasses the HTTP
 * gateway, calling the chaincode directly through @hyperledger/fabric-gateway. No single
 * organisation can mint: every attempt is refused with its code and leaves the state unchanged.
 */
import { createStaticDocumentLoader, credentialHash, generateIssuerKey, signCredential, type JsonObject } from '@impact-ledger/credentials';
import { expect } from 'chai';
import type { ClaimDoc } from '../helpers/cast';
import { commuteCredential } from '../helpers/credentials-fixtures';
import { CommitFailure, evaluate, expectRefusal, submit, submitWith } from '../helpers/ledger';
import { signedStatusList, statusEntry } from '../helpers/status-lists';
import { testIssuer } from '../helpers/cast';
import { claimFor, getWorld, protocolDraft, randomHash, submitClaim, type World } from './world';

interface Protocol { id: string; version: number; category: string }
interface Claim { id: string; status: string; quantity: number; subjectPseudonym: string }

/** Fabric's TxValidationCode ENDORSEMENT_POLICY_FAILURE. */
const ENDORSEMENT_POLICY_FAILURE = 10;

function withCredential(doc: ClaimDoc, credential: JsonObject): ClaimDoc {
  return { ...doc, credential, transient: { ...doc.transient, credential: JSON.stringify(credential) } };
}

function altered(doc: ClaimDoc, change: (credential: JsonObject) => void): ClaimDoc {
  const credential = structuredClone(doc.credential);
  change(credential);
  return withCredential(doc, credential);
}

const subjectOf = (credential: JsonObject) => credential.credentialSubject as JsonObject;

describe('a compromised organisation cannot mint (real Fabric network, gateway bypassed)', function () {
  this.timeout(180_000);
  let w: World;
  let protocol: Protocol;

  before(async () => {
    w = await getWorld();
    // Org2 registers the protocol: verifiers of the three organisations (two of Org1), quorum 2
    // from at least 2 organisations, validators of Org1 and Org2, never the submitter's own.
    const draft = protocolDraft({
      verifiers: [w.user(1, 2).identity, w.user(1, 3).identity, w.user(2, 2).identity, w.user(3, 2).identity],
      quorum: 2, minVerifierOrgs: 2, validators: [w.user(1, 4).identity, w.user(2, 4).identity], validatorFromOtherOrg: true,
    });
    await submit(w.operators[1].actor, 'protocols:Register', JSON.stringify(draft));
    protocol = (await submit<Protocol>(w.operators[1].actor, 'protocols:Activate', draft.id, '1')).result;
  });

  const org1Submitter = () => w.user(1, 1).actor;

  /** Refused with `code`, and neither the credential nor the original got anchored. */
  async function expectRefusedUnchanged(doc: ClaimDoc, original: ClaimDoc, code: string): Promise<void> {
    await expectRefusal(submitClaim(org1Submitter(), doc), code);
    for (const hash of new Set([original.credentialHash, await credentialHash(doc.credential, createStaticDocumentLoader()).catch(() => original.credentialHash)])) {
      await expectRefusal(evaluate(org1Submitter(), 'claims:GetByCredentialHash', hash), 'NOT_FOUND');
    }
  }

  it('cannot anchor a forged credential (bad signature): INVALID_SIGNATURE', async () => {
    const doc = await claimFor(protocol);
    await expectRefusedUnchanged(altered(doc, (cred) => {
      const proof = cred.proof as JsonObject;
      const value = String(proof.proofValue);
      proof.proofValue = `${value.slice(0, -4)}${value.endsWith('1111') ? '2222' : '1111'}`;
    }), doc, 'INVALID_SIGNATURE');
  });

  it('cannot anchor a credential of an issuer the protocol does not trust: UNTRUSTED_ISSUER', async () => {
    const own = await generateIssuerKey({ seed: new Uint8Array(32).fill(66) });
    const doc = await claimFor(protocol);
    const credential = await signCredential(commuteCredential(own.controller, {
      fields: { id: `urn:uuid:${randomHash().slice(0, 32)}`, validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-06-01T00:00:00Z' },
      subject: { id: 'did:example:made-up', activityPeriodStart: '2026-03-01', activityPeriodEnd: '2026-03-31', quantity: 999_999_999 },
    }), own, { date: '2026-01-01T00:00:00Z' });
    await expectRefusedUnchanged(withCredential(doc, credential), doc, 'UNTRUSTED_ISSUER');
  });

  it('cannot change the quantity, the period or the subject of a genuine credential: INVALID_SIGNATURE', async () => {
    const doc = await claimFor(protocol);
    await expectRefusedUnchanged(altered(doc, (cred) => { subjectOf(cred).quantity = 999_999_999; }), doc, 'INVALID_SIGNATURE');
    await expectRefusedUnchanged(altered(doc, (cred) => { subjectOf(cred).activityPeriodStart = '2026-02-01'; }), doc, 'INVALID_SIGNATURE');
    await expectRefusedUnchanged(altered(doc, (cred) => { subjectOf(cred).id = 'did:example:another-subject'; }), doc, 'INVALID_SIGNATURE');
  });

  it('cannot supply its own hash, pseudonym, period or quantity: the old argument list is refused (INVALID_ARGUMENT)', async () => {
    const doc = await claimFor(protocol);
    const victim = await claimFor(protocol);
    const old = {
      protocolId: protocol.id, protocolVersion: 1, credentialHash: randomHash(), subjectPseudonym: victim.subjectPseudonym,
      periodStart: '2026-03-01', periodEnd: '2026-03-31', quantity: 999_999_999, proofLevel: 'computed', evidenceHashes: [],
    };
    await expectRefusal(submitWith(org1Submitter(), 'claims:Submit', [JSON.stringify(old)], {}), 'INVALID_ARGUMENT');
    await expectRefusal(submitWith(org1Submitter(), 'claims:Submit', [JSON.stringify(old)], { transient: doc.transient }), 'INVALID_ARGUMENT');
    await expectRefusal(evaluate(org1Submitter(), 'claims:GetByCredentialHash', old.credentialHash), 'NOT_FOUND');
    await expectRefusal(evaluate(org1Submitter(), 'claims:GetByCredentialHash', doc.credentialHash), 'NOT_FOUND');
  });

  it('a credential whose status bit is set is refused by the network (CREDENTIAL_REVOKED), state unchanged; the old list cannot be put back', async () => {
    const issuer = await testIssuer('first');
    const listId = `https://status.example/${protocol.id}/${randomHash().slice(0, 12)}`;
    const day = 86_400_000;
    const clean = await signedStatusList(issuer, listId, [], new Date(Date.now() - 2 * day));
    const revoking = await signedStatusList(issuer, listId, [5], new Date(Date.now() - day));
    // Org2's operator publishes the issuer's lists (first clean, then with index 5 revoked)
    await submit(w.operators[1].actor, 'statusLists:Publish', JSON.stringify(clean));
    await submit(w.operators[1].actor, 'statusLists:Publish', JSON.stringify(revoking));
    const revoked = await claimFor(protocol, { credentialStatus: statusEntry(listId, 5) });
    await expectRefusedUnchanged(revoked, revoked, 'CREDENTIAL_REVOKED');
    // Org1's operator holds the older, public list: putting it back is a rollback
    await expectRefusal(submit(w.operators[0].actor, 'statusLists:Publish', JSON.stringify(clean)), 'STATUS_LIST_ROLLBACK');
    expect(await evaluate(org1Submitter(), 'statusLists:Get', listId)).to.deep.equal(revoking);
    await expectRefusedUnchanged(revoked, revoked, 'CREDENTIAL_REVOKED');
    const unpublished = await claimFor(protocol, { credentialStatus: statusEntry(`${listId}-unpublished`, 5) });
    await expectRefusedUnchanged(unpublished, unpublished, 'STATUS_LIST_UNAVAILABLE');
    const current = await submitClaim<Claim>(org1Submitter(), await claimFor(protocol, { credentialStatus: statusEntry(listId, 6) }));
    expect(current.result.status, 'a credential whose bit is clear commits').to.equal('submitted');
  });

  it('cannot verify a claim with its own verifiers only (minVerifierOrgs), nor validate it', async () => {
    const claim = (await submitClaim<Claim>(org1Submitter(), await claimFor(protocol, { quantity: 5000 }))).result;
    const first = await submit<Claim>(w.user(1, 2).actor, 'claims:Verify', claim.id, 'approve', '5000', randomHash());
    const second = await submit<Claim>(w.user(1, 3).actor, 'claims:Verify', claim.id, 'approve', '5000', randomHash());
    expect(first.result.status).to.equal('submitted');
    expect(second.result.status, 'two Org1 approvals reach k but one organisation only').to.equal('submitted');
    await expectRefusal(submit(w.user(2, 4).actor, 'claims:Validate', claim.id, '5000'), 'CLAIM_NOT_VERIFIED');
    expect((await evaluate<Claim>(org1Submitter(), 'claims:Get', claim.id)).status).to.equal('submitted');
  });

  it('cannot validate a claim its own organisation submitted (SAME_ORG_VALIDATOR)', async () => {
    const claim = (await submitClaim<Claim>(org1Submitter(), await claimFor(protocol, { quantity: 5000 }))).result;
    await submit(w.user(1, 2).actor, 'claims:Verify', claim.id, 'approve', '5000', randomHash());
    const verified = await submit<Claim>(w.user(2, 2).actor, 'claims:Verify', claim.id, 'approve', '5000', randomHash());
    expect(verified.result.status).to.equal('verified');
    await expectRefusal(submit(w.user(1, 4).actor, 'claims:Validate', claim.id, '5000'), 'SAME_ORG_VALIDATOR');
    expect((await evaluate<Claim>(org1Submitter(), 'claims:Get', claim.id)).status).to.equal('verified');
  });

  it('cannot vote as another organisation\'s verifier: its own identities are not designated', async () => {
    const claim = (await submitClaim<Claim>(org1Submitter(), await claimFor(protocol))).result;
    // Org1's operator makes one more of its own members a verifier: still not the designated Org2 identity.
    await submit(w.operators[0].actor, 'roles:Grant', w.user(1, 5).identity, 'verifier');
    await expectRefusal(submit(w.user(1, 5).actor, 'claims:Verify', claim.id, 'approve', '1', randomHash()), 'NOT_DESIGNATED');
    await expectRefusal(submit(w.operators[0].actor, 'roles:Grant', w.user(2, 5).identity, 'verifier'), 'FOREIGN_MSP');
    await submit(w.operators[0].actor, 'roles:Revoke', w.user(1, 5).identity, 'verifier');
    expect(await evaluate<unknown[]>(org1Submitter(), 'claims:Verifications', claim.id)).to.have.length(0);
  });

  it('cannot commit a claim endorsed by its own peer only (ENDORSEMENT_POLICY_FAILURE, state unchanged)', async () => {
    const doc = await claimFor(protocol);
    let failure: unknown;
    try {
      await submitClaim(org1Submitter(), doc, ['Org1MSP']);
    } catch (error) {
      failure = error;
    }
    expect(failure, 'the transaction must not commit').to.be.instanceOf(CommitFailure);
    expect((failure as CommitFailure).code).to.equal(ENDORSEMENT_POLICY_FAILURE);
    await expectRefusal(evaluate(org1Submitter(), 'claims:GetByCredentialHash', doc.credentialHash), 'NOT_FOUND');
    await expectRefusal(evaluate(w.user(2, 1).actor, 'claims:GetByCredentialHash', doc.credentialHash), 'NOT_FOUND');
    const honest = await submitClaim<Claim>(org1Submitter(), doc);
    expect(honest.result.status, 'the same credential, endorsed as the policy asks, commits').to.equal('submitted');
  });
});
