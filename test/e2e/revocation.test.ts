/**
 * Revocation on the real network over HTTP: an operator flags a credential, then an issuer; the
 * claim, the proof and its split children carry the flag in reads, provenance and the audit
 * bundle (which still verifies); flagged proofs do not move (409 PROOF_FLAGGED) until cleared;
 * a revoked issuer's new credentials are refused; suspending the protocol flags its proofs.
 */
import { verifyAuditBundle, type AuditBundle } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { signedStatusList, statusEntry } from '../helpers/status-lists';
import { activeProtocol, claimRequest, newIssuer, reportHash, settled, signedCredential, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

interface Mark { flagId: string; kind: string; subject: string }
interface Proof { id: string; flags?: Mark[] }
interface Cascade { flagId: string; done: boolean; claims: string[]; proofs: string[] }
type FlagResponse = Committed<{ id: string; active: boolean }> & { cascade: Cascade };

describe('e2e: revocation cascades', function () {
  this.timeout(300_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;

  /** A claim validated into a proof, split by a partial transfer to a funder. */
  async function proofWithChildren(): Promise<{ claimId: string; credentialHash: string; proofId: string; moved: string; remainder: string }> {
    const submitted = await settled(await world.client(1, 'User1').json<Committed<{ id: string; credentialHash: string }>>('POST', '/v1/claims',
      claimRequest(protocol, await signedCredential(issuer)), 201));
    for (const org of [1, 3]) {
      await settled(await world.client(org, 'User2').json<Committed>('POST', `/v1/claims/${submitted.result.id}/verifications`,
        { decision: 'approve', assessedQuantity: 18000, reportHash: reportHash() }, 201));
    }
    const issued = await settled(await world.client(2, 'User4').json<Committed<{ id: string }>>('POST', `/v1/claims/${submitted.result.id}/validation`, { quantity: 18000 }, 201));
    const move = await settled(await world.client(1, 'User1').json<Committed<{ moved: { id: string }; remainder: { id: string } }>>('POST',
      `/v1/proofs/${issued.result.id}/transfers`, { newOwner: world.identity(1, 'User5'), quantity: 3000 }, 201));
    return { claimId: submitted.result.id, credentialHash: submitted.result.credentialHash, proofId: issued.result.id, moved: move.result.moved.id, remainder: move.result.remainder.id };
  }

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller]);
  });

  it('flags a credential: claim, proof and split children flagged; no transfer until an operator clears it', async () => {
    const { claimId, credentialHash, proofId, moved, remainder } = await proofWithChildren();
    const flagged = await settled(await world.client(2, 'Admin').json<FlagResponse>('POST', '/v1/revocations',
      { kind: 'credential', subject: credentialHash, reason: 'the issuer withdrew the credential' }, 201));
    expect(flagged.cascade.done).to.equal(true);
    expect(flagged.cascade.claims).to.deep.equal([claimId]);
    expect(flagged.cascade.proofs).to.have.members([proofId, moved, remainder]);
    const child = await world.client(3, 'User5').json<Proof>('GET', `/v1/proofs/${remainder}`, undefined, 200);
    expect(child.flags?.[0]).to.include({ flagId: flagged.result.id, kind: 'credential', subject: credentialHash });
    const claim = await world.client(3, 'User5').json<{ flags?: Mark[] }>('GET', `/v1/claims/${claimId}`, undefined, 200);
    expect(claim.flags).to.have.length(1);
    const refused = await world.client(1, 'User1').request('POST', `/v1/proofs/${remainder}/transfers`, { newOwner: world.identity(2, 'User5'), quantity: 10 });
    expect(refused.status).to.equal(409);
    expect(refused.body.code).to.equal('PROOF_FLAGGED');
    const retire = await world.client(1, 'User5').request('POST', `/v1/proofs/${moved}/retirements`, { quantity: 3000, beneficiary: 'ACME', purpose: 'offset' });
    expect(retire.body.code).to.equal('PROOF_FLAGGED');
    const { provenance } = await world.client(2, 'User5').json<{ provenance: { flags?: { id: string; active: boolean }[] } }>('GET', `/v1/proofs/${moved}/provenance`, undefined, 200);
    expect(provenance.flags?.map((f) => [f.id, f.active])).to.deep.equal([[flagged.result.id, true]]);
    const bundle = await world.client(2, 'User5').json<AuditBundle>('GET', `/v1/proofs/${moved}/audit-bundle`, undefined, 200);
    const report = verifyAuditBundle(bundle);
    expect(report.failures).to.deep.equal([]);
    expect(report.summary.flagged).to.equal(true);
    expect(bundle.provenance.flags).to.have.length(1);

    const forbidden = await world.client(2, 'User5').request('POST', `/v1/revocations/${flagged.result.id}/clear`);
    expect(forbidden.status).to.equal(403);
    const cleared = await settled(await world.client(1, 'Admin').json<FlagResponse>('POST', `/v1/revocations/${flagged.result.id}/clear`, undefined, 200));
    expect(cleared.cascade.proofs).to.have.members([proofId, moved, remainder]);
    expect((await world.client(3, 'User5').json<Proof>('GET', `/v1/proofs/${remainder}`, undefined, 200)).flags).to.equal(undefined);
    await world.client(1, 'User1').json('POST', `/v1/proofs/${remainder}/transfers`, { newOwner: world.identity(2, 'User5'), quantity: 10 }, 201);
  });

  it('flags an issuer: its claims through the issuer index; its new credentials are refused (CREDENTIAL_REVOKED)', async () => {
    const { claimId, proofId } = await proofWithChildren();
    const flagged = await settled(await world.client(3, 'Admin').json<FlagResponse>('POST', '/v1/revocations',
      { kind: 'issuer', subject: issuer.controller, reason: 'signing key compromised' }, 201));
    expect(flagged.cascade.claims).to.include(claimId);
    expect(flagged.cascade.proofs).to.include(proofId);
    const refused = await world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer)));
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('CREDENTIAL_REVOKED');
    await settled(await world.client(3, 'Admin').json<FlagResponse>('POST', `/v1/revocations/${flagged.result.id}/clear`, undefined, 200));
  });

  it('suspending the protocol version flags its proofs; re-activating it clears them', async () => {
    const { remainder } = await proofWithChildren();
    await settled(await world.client(1, 'Admin').json<Committed>('POST', `/v1/protocols/${protocol.id}/versions/1/suspend`, undefined, 200));
    const flagged = await world.client(1, 'User5').json<Proof>('GET', `/v1/proofs/${remainder}`, undefined, 200); // the cascade ran on org 1's gateway
    expect(flagged.flags?.map((m) => m.kind)).to.deep.equal(['protocol']);
    await settled(await world.client(1, 'Admin').json<Committed>('POST', `/v1/protocols/${protocol.id}/versions/1/activate`, undefined, 200));
    expect((await world.client(1, 'User5').json<Proof>('GET', `/v1/proofs/${remainder}`, undefined, 200)).flags).to.equal(undefined);
  });

  it('honours the W3C Bitstring Status List on the ledger: a revoked credential is refused by the endorsing peers, a current one accepted', async () => {
    const listId = `https://status.example/${protocol.id}/1`;
    // the list lives on the ledger: every endorsing peer reads it once the block is committed everywhere
    const published = await settled(await world.client(1, 'Admin').json<Committed<{ id: string; issuer: string }>>('PUT', '/v1/status-lists', { credential: await signedStatusList(issuer, listId, [5]) }, 200));
    expect(published.result).to.include({ id: listId, issuer: issuer.controller });
    const revoked = await signedCredential(issuer, { fields: { credentialStatus: statusEntry(listId, 5) } });
    const refused = await world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, revoked));
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('CREDENTIAL_REVOKED');
    const unknownList = await signedCredential(issuer, { fields: { credentialStatus: statusEntry('https://status.example/unpublished', 5) } });
    expect((await world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, unknownList))).body.code).to.equal('STATUS_LIST_UNAVAILABLE');
    const current = await signedCredential(issuer, { fields: { credentialStatus: statusEntry(listId, 6) } });
    await world.client(1, 'User1').json('POST', '/v1/claims', claimRequest(protocol, current), 201);
  });
});
