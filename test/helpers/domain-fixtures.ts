/**
 * Shared inputs for domain unit tests: valid protocol and claim documents, callers, stamps, and
 * an assertion that a function refuses with a given code.
 */
import { expect } from 'chai';
import { ChaincodeError, type ErrorCode } from '@impact-ledger/chaincode/errors';
import type { Caller, Stamp } from '@impact-ledger/chaincode/domain';

/** A valid identity string of `cn` in `mspId`. */
export function identityOf(mspId: string, cn: string, ou = 'client'): string {
  const subject = `/C=US/O=${mspId.toLowerCase()}/OU=${ou}/CN=${cn}`;
  return `${mspId}::x509::${subject}::/C=US/O=${mspId.toLowerCase()}/CN=ca`;
}

/** A caller of `mspId`; operators carry OU=admin. */
export function callerOf(mspId: string, cn: string, operator = false): Caller {
  return { identity: identityOf(mspId, cn, operator ? 'admin' : 'client'), mspId, operator };
}

export const org1Operator = callerOf('Org1MSP', 'Admin@org1', true);
export const org2Operator = callerOf('Org2MSP', 'Admin@org2', true);
export const submitter = callerOf('Org1MSP', 'User1@org1');
export const verifiers = [callerOf('Org2MSP', 'User2@org2'), callerOf('Org3MSP', 'User2@org3'), callerOf('Org3MSP', 'User3@org3')] as const;
/** A validator of Org2: the protocols require one of another organisation than the submitter's (Org1). */
export const validator = callerOf('Org2MSP', 'User4@org2');

/** A stamp of transaction `n`. */
export function stamp(actor: Caller, n = 1): Stamp {
  return { actor: actor.identity, txId: `tx${n}`, timestamp: `2026-04-01T08:00:0${n % 10}.000Z` };
}

/** A valid protocol document; `overrides` replace (or, with undefined, remove) fields. */
export function protocolInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    id: 'commute-modal-shift',
    version: 1,
    title: 'Commute modal shift',
    category: 'commute-modal-shift',
    unit: 'gCO2e',
    pillar: 'B',
    sdgTargets: ['13.2', '11.2'],
    minProofLevel: 'computed',
    verifiers: verifiers.map((v) => v.identity),
    quorum: 2,
    validators: [validator.identity],
    trustedIssuers: ['did:key:z6Mkexample'],
    subjectSchema: { type: 'object', required: ['quantity'], properties: { quantity: { type: 'integer' } } },
    quantityField: 'quantity',
    periodFields: { start: 'activityPeriodStart', end: 'activityPeriodEnd' },
    additionality: {
      method: {
        baseline: 'the same commute by private car',
        counterfactual: 'no modal shift',
        emissionFactors: [{ name: 'car', value: '0.218', unit: 'kgCO2e/km', source: 'ADEME 2024' }],
      },
    },
  };
  const merged = { ...base, ...overrides };
  for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete merged[key];
  return merged;
}

export const HASH_A = 'a'.repeat(64);
export const HASH_B = 'b'.repeat(64);
export const HASH_C = 'c'.repeat(64);

/** A valid claim document for `protocolInput()`. */
export function claimInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    protocolId: 'commute-modal-shift',
    protocolVersion: 1,
    credentialHash: HASH_A,
    subjectPseudonym: HASH_B,
    periodStart: '2026-03-01',
    periodEnd: '2026-03-31',
    quantity: 10_000,
    proofLevel: 'computed',
    evidenceHashes: [HASH_C],
    ...overrides,
  };
}

/** Asserts `action` throws a ChaincodeError with `code`; returns it. */
export function expectCode(action: () => unknown, code: ErrorCode): ChaincodeError {
  try {
    action();
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ChaincodeError);
    expect((error as ChaincodeError).code, (error as ChaincodeError).message).to.equal(code);
    return error as ChaincodeError;
  }
  return expect.fail(`expected ${code}, but nothing was thrown`);
}
