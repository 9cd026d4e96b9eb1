/**
 * Parsers for records read back from the world state: each checks the shape it relies on and
 * refuses anything else with CORRUPT_STATE, instead of casting unchecked JSON.
 */
import { ChaincodeError } from '../errors';
import type { BudgetShard, Campaign, StatusListRecord, TrustedIssuerRecord, Settlement, SettlementMarker, Claim, DayBucket, FlagRecord, ProofOfImpact, ProtocolRecord, RoleRecord, TotalsEntry, Verification } from '../domain';

/** Turns a JSON value read from the ledger into a typed record, or throws CORRUPT_STATE. */
export type RecordParser<T> = (value: unknown) => T;

type FieldKind = 'string' | 'integer' | 'boolean' | 'object' | 'array';

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'integer': return Number.isSafeInteger(value);
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    default: return typeof value === kind;
  }
}

function corrupt(what: string, reason: string): ChaincodeError {
  return new ChaincodeError('CORRUPT_STATE', `a stored ${what} is malformed: ${reason}`, { record: what });
}

/** A parser that checks `spec`'s fields have the given kinds. */
export function recordParser<T>(what: string, spec: Readonly<Record<string, FieldKind>>): RecordParser<T> {
  return (value: unknown): T => {
    if (!hasKind(value, 'object')) throw corrupt(what, 'not a JSON object');
    const fields = value as Record<string, unknown>;
    for (const [name, kind] of Object.entries(spec)) {
      if (!hasKind(fields[name], kind)) throw corrupt(what, `${name} is not ${kind === 'integer' ? 'an' : 'a'} ${kind}`);
    }
    return value as T;
  };
}

/** Parser of role records. */
export const parseRoleRecord = recordParser<RoleRecord>('role', { identity: 'string', mspId: 'string', role: 'string', active: 'boolean', history: 'array' });

/** Parser of protocol records. */
export const parseProtocolRecord = recordParser<ProtocolRecord>('protocol', {
  id: 'string', version: 'integer', status: 'string', ownerMsp: 'string', category: 'string', unit: 'string', pillar: 'string',
  sdgTargets: 'array', minProofLevel: 'string', verifiers: 'array', quorum: 'integer', minVerifierOrgs: 'integer', validators: 'array', validatorFromOtherOrg: 'boolean', lifecycle: 'array',
});

/** Parser of claims. */
export const parseClaim = recordParser<Claim>('claim', {
  id: 'string', protocolId: 'string', protocolVersion: 'integer', category: 'string', subjectPseudonym: 'string',
  periodStart: 'string', periodEnd: 'string', quantity: 'integer', status: 'string', submitter: 'string',
  submitterMsp: 'string', approvals: 'integer', rejections: 'integer',
});

/** Parser of verifications. */
export const parseVerification = recordParser<Verification>('verification', {
  id: 'string', claimId: 'string', verifier: 'string', decision: 'string', assessedQuantity: 'integer', reportHash: 'string',
});

/** Parser of proofs. */
export const parseProof = recordParser<ProofOfImpact>('proof', {
  id: 'string', serial: 'string', claimId: 'string', protocolId: 'string', protocolVersion: 'integer', pillar: 'string',
  unit: 'string', quantity: 'integer', unitRange: 'object', owner: 'string', originId: 'string', depth: 'integer', status: 'string',
});

/** Parser of totals entries. */
export const parseTotalsEntry = recordParser<TotalsEntry>('totals entry', {
  pillar: 'string', unit: 'string', protocolId: 'string', protocolVersion: 'integer', sdgTargets: 'array', month: 'string',
  issued: 'integer', retired: 'integer',
});

/** Parser of day buckets: every value a claim id. */
export const parseDayBucket: RecordParser<DayBucket> = (value: unknown): DayBucket => {
  const bucket = recordParser<Record<string, unknown>>('day bucket', {})(value);
  for (const key of Object.keys(bucket).sort()) {
    if (!/^\d{2}$/.test(key) || typeof bucket[key] !== 'string') throw corrupt('day bucket', `entry ${key} is not day -> claim id`);
  }
  return bucket as DayBucket;
};

/** Parser of index entries (their value only names the indexed record). */
export const parseIndexEntry = recordParser<{ id: string }>('index entry', { id: 'string' });

/** Parser of campaigns. */
export const parseCampaign = recordParser<Campaign>('campaign', {
  id: 'string', name: 'string', protocols: 'array', currency: 'string', budget: 'integer', pricePerUnit: 'integer', bufferBps: 'integer',
  criteria: 'object', shards: 'integer', funder: 'string', status: 'string',
});

/** Parser of budget tranches. */
export const parseBudgetShard = recordParser<BudgetShard>('budget tranche', { campaignId: 'string', index: 'integer', allowance: 'integer', settled: 'integer', held: 'integer' });

/** Parser of settlements. */
export const parseSettlement = recordParser<Settlement>('settlement', {
  campaignId: 'string', proofId: 'string', pillar: 'string', unit: 'string', sdgTargets: 'array', producerPseudonym: 'string',
  quantity: 'integer', amount: 'integer', held: 'integer', vintage: 'object',
});

/** Parser of settlement markers. */
export const parseSettlementMarker = recordParser<SettlementMarker>('settlement marker', { proofId: 'string', campaignId: 'string', txId: 'string' });
/** Parser of revocation flag records. */
export const parseFlagRecord = recordParser<FlagRecord>('flag', {
  id: 'string', kind: 'string', subject: 'string', reason: 'string', active: 'boolean', raised: 'object', cascadeDone: 'boolean',
});

/** Parser of trusted-issuer index entries. */
export const parseTrustedIssuerRecord = recordParser<TrustedIssuerRecord>('trusted issuer', { issuer: 'string', protocolId: 'string', protocolVersion: 'integer' });

/** Parser of status list records. */
export const parseStatusListRecord = recordParser<StatusListRecord>('status list', { id: 'string', issuer: 'string', validFrom: 'string', credential: 'object', published: 'object' });
