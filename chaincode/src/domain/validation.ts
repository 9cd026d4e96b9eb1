/**
 * Validation: a designated validator who did not verify the claim fixes the value of a verified
 * claim at most at the (lower) median of the approving assessments.
 */
import { ChaincodeError } from '../errors';
import { integerArgument } from './args';
import type { Claim } from './claim';
import type { Caller } from './identity';
import type { ProtocolRecord } from './protocol';
import type { Verification } from './quorum';

/** The median of integers; for an even count the lower of the two middle values (conservative). */
export function lowerMedian(values: readonly number[]): number {
  if (values.length === 0) throw new ChaincodeError('INTERNAL', 'the median of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/** Refuses (NOT_DESIGNATED) a validator the protocol version does not designate. */
export function assertDesignatedValidator(protocol: ProtocolRecord, caller: Caller): void {
  if (!protocol.validators.includes(caller.identity)) {
    throw new ChaincodeError('NOT_DESIGNATED', `${caller.identity} is not a designated validator of protocol ${protocol.id} v${protocol.version}`);
  }
}

/**
 * Refuses a validator who submitted or verified the claim (CONFLICT_OF_INTEREST: submitter,
 * verifiers and validator are distinct identities), a validator of the submitter's own
 * organisation when the protocol asks for another (SAME_ORG_VALIDATOR), a claim already
 * validated, or one not verified.
 */
export function assertMayValidate(claim: Claim, caller: Caller, votes: readonly Verification[], protocol: Pick<ProtocolRecord, 'validatorFromOtherOrg'>): void {
  if (caller.identity === claim.submitter) {
    throw new ChaincodeError('CONFLICT_OF_INTEREST', `${caller.identity} submitted claim ${claim.id} and cannot validate it`);
  }
  if (votes.some((v) => v.verifier === caller.identity)) {
    throw new ChaincodeError('CONFLICT_OF_INTEREST', `${caller.identity} verified claim ${claim.id} and cannot validate it`);
  }
  if (protocol.validatorFromOtherOrg && caller.mspId === claim.submitterMsp) {
    throw new ChaincodeError('SAME_ORG_VALIDATOR', `claim ${claim.id} was submitted by ${claim.submitterMsp}; its protocol requires a validator of another organisation`, {
      submitterMsp: claim.submitterMsp,
    });
  }
  if (claim.status === 'validated' || claim.proofId !== undefined) {
    throw new ChaincodeError('PROOF_ALREADY_ISSUED', `claim ${claim.id} already has its proof ${claim.proofId ?? ''}`.trim(), { proofId: claim.proofId });
  }
  if (claim.status !== 'verified') {
    throw new ChaincodeError('CLAIM_NOT_VERIFIED', `claim ${claim.id} is ${claim.status}; only verified claims can be validated`, { status: claim.status });
  }
}

/** The validator's quantity: 0 < quantity <= lower median of the approving assessments. */
export function validatedQuantity(quantity: string, votes: readonly Verification[]): number {
  const value = integerArgument(quantity, 'quantity', 1);
  const cap = lowerMedian(votes.filter((v) => v.decision === 'approve').map((v) => v.assessedQuantity));
  if (value > cap) {
    throw new ChaincodeError('VALUE_ABOVE_MEDIAN', `quantity ${value} exceeds ${cap}, the median of the approving assessments`, { quantity: value, cap });
  }
  return value;
}
