import { expect } from 'chai';
import {
  assertNotReplayed, claimIdOf, newClaimSubmission, newProtocolDefinition, openClaim, parseClaimFilter, registerProtocol, sha256Hex,
  transitionProtocol, withdrawalAuthority, withdrawClaim, withStatus, type ProtocolRecord,
} from '@impact-ledger/chaincode/domain';
import { claimInput, expectCode, HASH_A, org1Operator, org2Operator, protocolInput, stamp, submitter, validator } from '../../helpers/domain-fixtures';

function activeProtocol(overrides: Record<string, unknown> = {}): ProtocolRecord {
  const draft = registerProtocol(newProtocolDefinition(protocolInput(overrides)), org1Operator, stamp(org1Operator));
  return transitionProtocol(draft, 'active', stamp(org1Operator, 2));
}

describe('claim submission', () => {
  it('accepts a valid claim; its id is sha256("claim:" + credential hash)', () => {
    const claim = openClaim(newClaimSubmission(claimInput()), activeProtocol(), submitter, stamp(submitter, 3));
    expect(claim.id).to.equal(sha256Hex(`claim:${HASH_A}`)).and.to.equal(claimIdOf(HASH_A));
    expect(claim).to.include({ status: 'submitted', category: 'commute-modal-shift', submitter: submitter.identity, submitterMsp: 'Org1MSP', txId: 'tx3' });
  });

  it('accepts 366 days and refuses 367 with PERIOD_TOO_LONG', () => {
    expect(newClaimSubmission(claimInput({ periodStart: '2024-01-01', periodEnd: '2024-12-31' })).periodEnd).to.equal('2024-12-31');
    const error = expectCode(() => newClaimSubmission(claimInput({ periodStart: '2024-01-01', periodEnd: '2025-01-01' })), 'PERIOD_TOO_LONG');
    expect(error.details).to.include({ days: 367, maxDays: 366 });
  });

  it('refuses an end before the start', () => {
    expectCode(() => newClaimSubmission(claimInput({ periodStart: '2026-03-02', periodEnd: '2026-03-01' })), 'INVALID_ARGUMENT');
  });

  for (const quantity of [1.5, '10', -1, 0, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity, null, 1e300]) {
    it(`refuses the quantity ${String(quantity)} (integers > 0 only)`, () => {
      expect(expectCode(() => newClaimSubmission(claimInput({ quantity })), 'INVALID_ARGUMENT').details?.field).to.equal('quantity');
    });
  }

  it('accepts the largest safe integer', () => {
    expect(newClaimSubmission(claimInput({ quantity: Number.MAX_SAFE_INTEGER })).quantity).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it('refuses malformed hashes, too many evidence hashes and unknown fields', () => {
    expectCode(() => newClaimSubmission(claimInput({ credentialHash: 'A'.repeat(64) })), 'INVALID_ARGUMENT');
    expectCode(() => newClaimSubmission(claimInput({ subjectPseudonym: 'subject-42' })), 'INVALID_ARGUMENT');
    expectCode(() => newClaimSubmission(claimInput({ evidenceHashes: Array.from({ length: 33 }, () => HASH_A) })), 'INVALID_ARGUMENT');
    expect(newClaimSubmission(claimInput({ evidenceHashes: [] })).evidenceHashes).to.deep.equal([]);
    expectCode(() => newClaimSubmission(claimInput({ subjectId: 'did:example:alice' })), 'INVALID_ARGUMENT');
  });

  it('refuses a proof level below the protocol minimum, and an inactive protocol', () => {
    expectCode(() => openClaim(newClaimSubmission(claimInput({ proofLevel: 'declared' })), activeProtocol(), submitter, stamp(submitter)), 'PROOF_LEVEL_TOO_LOW');
    openClaim(newClaimSubmission(claimInput({ proofLevel: 'verified' })), activeProtocol(), submitter, stamp(submitter));
    const suspended = transitionProtocol(activeProtocol(), 'suspended', stamp(org1Operator, 3));
    expectCode(() => openClaim(newClaimSubmission(claimInput()), suspended, submitter, stamp(submitter)), 'PROTOCOL_NOT_ACTIVE');
  });

  it('refuses a replayed credential, whatever became of the earlier claim', () => {
    const claim = openClaim(newClaimSubmission(claimInput()), activeProtocol(), submitter, stamp(submitter));
    assertNotReplayed(undefined);
    for (const status of ['submitted', 'withdrawn', 'rejected', 'validated'] as const) {
      expect(expectCode(() => assertNotReplayed(withStatus(claim, status, stamp(submitter))), 'CREDENTIAL_REPLAYED').details?.claimId).to.equal(claim.id);
    }
  });
});

describe('claim withdrawal', () => {
  const claim = openClaim(newClaimSubmission(claimInput()), activeProtocol(), submitter, stamp(submitter));

  it('is allowed to the submitter and to operators of the claim MSP only', () => {
    expect(withdrawalAuthority(claim, submitter)).to.equal('submitter');
    expect(withdrawalAuthority(claim, org1Operator)).to.equal('operator');
    expectCode(() => withdrawalAuthority(claim, org2Operator), 'FORBIDDEN_ROLE');
    expectCode(() => withdrawalAuthority(claim, validator), 'FORBIDDEN_ROLE');
  });

  it('applies to submitted and verified claims only', () => {
    expect(withdrawClaim(claim, stamp(submitter, 4)).status).to.equal('withdrawn');
    expect(withdrawClaim(withStatus(claim, 'verified', stamp(submitter)), stamp(submitter, 4)).status).to.equal('withdrawn');
    for (const status of ['rejected', 'withdrawn', 'validated'] as const) {
      expectCode(() => withdrawClaim(withStatus(claim, status, stamp(submitter)), stamp(submitter)), 'INVALID_STATE_TRANSITION');
    }
  });
});

describe('claim list filter', () => {
  it('filters by status or by protocol version, not both', () => {
    expect(parseClaimFilter({})).to.deep.equal({});
    expect(parseClaimFilter({ status: 'verified' })).to.deep.equal({ status: 'verified' });
    expect(parseClaimFilter({ protocolId: 'p', protocolVersion: 2 })).to.deep.equal({ protocolId: 'p', protocolVersion: 2 });
    expectCode(() => parseClaimFilter({ status: 'verified', protocolId: 'p', protocolVersion: 1 }), 'INVALID_ARGUMENT');
    expectCode(() => parseClaimFilter({ status: 'lost' }), 'INVALID_ARGUMENT');
    expectCode(() => parseClaimFilter({ protocolId: 'p' }), 'INVALID_ARGUMENT');
  });
});
