/**
 * The impact-proof workflow across three sub-network operators, on the real network:
 * protocol -> claim -> verification quorum -> validation -> proof -> split, transfer, retire
 * -> provenance. Every step is endorsed by a majority of organisations and committed.
 */
import { expect } from 'chai';
import { evaluate, submit } from '../helpers/ledger';
import { claimFor, getWorld, protocolDraft, randomHash, submitClaim, type World } from './world';

interface Protocol { id: string; version: number; status: string; category: string }
interface Claim { id: string; status: string; quantity: number }
interface Proof {
  id: string; serial: string; owner: string; quantity: number; status: string; parentId?: string;
  unitRange: { first: number; last: number }; pillar: string; unit: string;
}
interface Provenance {
  proof: Proof;
  ancestors: Proof[];
  validation: { validator: string; quantity: number; txId: string; timestamp: string };
  verifications: { verifier: string; decision: string; assessedQuantity: number; txId: string; timestamp: string }[];
  claim: { id: string; credentialHash: string; txId: string; timestamp: string; submitter: string };
  protocol: { id: string; version: number };
}

describe('impact-proof workflow across three organisations (real Fabric network)', function () {
  this.timeout(120_000);
  let w: World;
  let protocol: Protocol;

  before(async () => {
    w = await getWorld();
    // Org1's operator designates verifiers of Org2 and Org3 and a validator of Org2 (another
    // organisation than the submitter's, as validatorFromOtherOrg requires by default).
    const draft = protocolDraft({
      verifiers: [w.user(2, 2).identity, w.user(2, 3).identity, w.user(3, 2).identity],
      quorum: 2,
      validators: [w.user(2, 4).identity],
    });
    const registered = await submit<Protocol>(w.operators[0].actor, 'protocols:Register', JSON.stringify(draft));
    expect(registered.result.status).to.equal('draft');
    const activated = await submit<Protocol>(w.operators[0].actor, 'protocols:Activate', draft.id, String(draft.version));
    expect(activated.result.status).to.equal('active');
    protocol = activated.result;
  });

  it('turns a claim into one proof, then splits, transfers and retires it, with full provenance', async () => {
    const submitter = w.user(1, 1);
    const draft = await claimFor(protocol, { quantity: 10_000 });
    const submitted = await submitClaim<Claim>(submitter.actor, draft);
    expect(submitted.result.status).to.equal('submitted');
    expect(submitted.blockNumber > 0n).to.equal(true);
    const claimId = submitted.result.id;

    const first = await submit<Claim>(w.user(2, 2).actor, 'claims:Verify', claimId, 'approve', '9000', randomHash());
    expect(first.result.status).to.equal('submitted');
    const second = await submit<Claim>(w.user(3, 2).actor, 'claims:Verify', claimId, 'approve', '8000', randomHash());
    expect(second.result.status).to.equal('verified');

    // Median of the approving assessments (9000, 8000) is the lower median 8000: 8000 is the cap.
    const issued = await submit<Proof>(w.user(2, 4).actor, 'claims:Validate', claimId, '8000');
    const proof = issued.result;
    expect(proof.quantity).to.equal(8000);
    expect(proof.owner).to.equal(submitter.identity);
    expect(proof.pillar).to.equal('B');
    expect(proof.serial).to.match(/^IL-/);
    const claimAfter = await evaluate<Claim>(submitter.actor, 'claims:Get', claimId);
    expect(claimAfter.status).to.equal('validated');

    // The owner sells 3000 to Org2's funder at a recorded price: the proof splits exactly.
    const funder = w.user(2, 5);
    await submit(submitter.actor, 'proofs:Transfer', proof.id, funder.identity, '3000',
      JSON.stringify({ amount: 4500, currency: 'EUR' }));
    const parent = await evaluate<Proof>(submitter.actor, 'proofs:Get', proof.id);
    expect(parent.status).to.equal('split');
    const funderPage = await evaluate<{ records: Proof[] }>(funder.actor, 'proofs:ListByOwner', funder.identity, '10', '');
    const bought = funderPage.records.find((p) => p.parentId === proof.id);
    expect(bought, 'the funder owns the transferred part').to.not.equal(undefined);
    expect(bought?.quantity).to.equal(3000);
    const ownerPage = await evaluate<{ records: Proof[] }>(submitter.actor, 'proofs:ListByOwner', submitter.identity, '100', '');
    const remainder = ownerPage.records.find((p) => p.parentId === proof.id);
    expect(remainder?.quantity).to.equal(5000);
    expect((bought as Proof).quantity + (remainder as Proof).quantity).to.equal(proof.quantity);

    // The funder retires 1000 of its 3000 for a beneficiary: final and public.
    await submit(funder.actor, 'proofs:Retire', (bought as Proof).id, '1000', 'Ville de Lyon', 'employee commute 2026');
    const afterRetire = await evaluate<{ records: Proof[] }>(funder.actor, 'proofs:ListByOwner', funder.identity, '10', '');
    const retired = afterRetire.records.find((p) => p.status === 'retired');
    expect(retired?.quantity).to.equal(1000);

    // Provenance of the retired piece walks back to the protocol, each step with its tx id.
    const prov = await evaluate<Provenance>(funder.actor, 'proofs:Provenance', (retired as Proof).id);
    expect(prov.ancestors.map((a) => a.id)).to.include(proof.id);
    expect(prov.validation.txId).to.equal(issued.txId);
    expect(prov.validation.validator).to.equal(w.user(2, 4).identity);
    expect(prov.verifications.map((v) => v.txId).sort()).to.deep.equal([first.txId, second.txId].sort());
    expect(prov.claim.txId).to.equal(submitted.txId);
    expect(prov.claim.credentialHash).to.equal(draft.credentialHash);
    expect(prov.claim.submitter).to.equal(submitter.identity);
    expect(prov.protocol.id).to.equal(protocol.id);
    for (const step of [prov.validation, ...prov.verifications, prov.claim]) {
      expect(step.timestamp).to.match(/^\d{4}-\d{2}-\d{2}T/);
    }
  });
});
