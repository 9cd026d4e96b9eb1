/**
 * Proofs of Impact: issuance from a validated claim, registry-style serials without a global
 * counter, and the asset moves (transfer whole or split, retire whole or part).
 */
import { ChaincodeError } from '../errors';
import { asFields, integer, integerArgument, invalid, onlyFields, parseJsonArgument, text } from './args';
import type { Claim } from './claim';
import { sha256Hex } from './hash';
import type { Caller } from './identity';
import type { Pillar, ProofLevel, ProtocolRecord } from './protocol';
import type { Verification } from './quorum';
import type { FlagMark } from './revocation';
import type { Stamp } from './stamp';

/** Proof states: `split` marks a parent whose units now live in its two children. */
export const PROOF_STATUSES = ['active', 'retired', 'split'] as const;
/** A proof's state. */
export type ProofStatus = (typeof PROOF_STATUSES)[number];

/**
 * Deepest chain of splits below an origin proof. It bounds provenance: at most this many parent
 * reads to walk from any proof back to its origin.
 */
export const MAX_SPLIT_DEPTH = 64;

/** The 1-based units of the origin proof a proof covers, both ends included. */
export interface UnitRange {
  first: number;
  last: number;
}

/** A recorded purchase price (payment itself is off-ledger). */
export interface Price {
  /** Integer minor units (cents). */
  amount: number;
  /** ISO 4217 code. */
  currency: string;
}

/** A final retirement. */
export interface Retirement {
  beneficiary: string;
  purpose: string;
  txId: string;
  timestamp: string;
}

/** How the current owner received the proof. */
export interface TransferRecord {
  from: string;
  txId: string;
  timestamp: string;
}

/**
 * The campaign that paid for a proof. Settlement moves the proof to the campaign's funder in the
 * same transaction; split children inherit the mark, so the settled units are never sold again
 * and only the funder retires them.
 */
export interface SettlementMark {
  campaignId: string;
  funder: string;
  txId: string;
  timestamp: string;
}

/** A Proof of Impact on the ledger. */
export interface ProofOfImpact {
  id: string;
  serial: string;
  claimId: string;
  protocolId: string;
  protocolVersion: number;
  category: string;
  pillar: Pillar;
  sdgTargets: string[];
  unit: string;
  quantity: number;
  unitRange: UnitRange;
  vintage: { start: string; end: string };
  proofLevel: ProofLevel;
  producerPseudonym: string;
  owner: string;
  issuer: string;
  verificationIds: string[];
  verifiers: string[];
  parentId?: string;
  originId: string;
  /** Number of splits between the origin and this proof (0 for the origin). */
  depth: number;
  children?: string[];
  status: ProofStatus;
  retirement?: Retirement;
  price?: Price;
  lastTransfer?: TransferRecord;
  issuedTxId: string;
  issuedAt: string;
  updatedTxId: string;
  updatedAt: string;
  /** Revocation flags that reached the proof (inherited by split children). */
  flags?: FlagMark[];
  /** Set when a campaign settled the proof (inherited by split children). */
  settlement?: SettlementMark;
}

/** The proofs a transfer or retirement wrote; `parent` and `remainder` only when it split. */
export interface AssetMove {
  /** The proof now owned by the new owner (transfer) or retired (retirement). */
  moved: ProofOfImpact;
  remainder?: ProofOfImpact;
  parent?: ProofOfImpact;
}

const CURRENCY = /^[A-Z]{3}$/;

/** Deterministic id of the proof issued for a claim. */
export function proofIdOf(claimId: string): string {
  return sha256Hex(`proof:${claimId}`);
}

/** The validation step of a provenance: the issuance of the origin proof (who, how much, which transaction, when). */
export function validationStepOf(origin: Pick<ProofOfImpact, 'issuer' | 'quantity' | 'issuedTxId' | 'issuedAt'>): ProvenanceValidation {
  return { validator: origin.issuer, quantity: origin.quantity, txId: origin.issuedTxId, timestamp: origin.issuedAt };
}

/** The validation step of a provenance (`proofs:Provenance`). */
export interface ProvenanceValidation {
  validator: string;
  quantity: number;
  txId: string;
  timestamp: string;
}

/** Every transaction id a record names (any field whose name ends in `txId`, at any depth). */
export function txIdsOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) txIdsOf(item, found);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (/txId$/i.test(key) && typeof item === 'string' && item !== '') found.add(item);
      else txIdsOf(item, found);
    }
  }
  return found;
}

/** Deterministic id of a split child: unit ranges are unique inside one origin's tree. */
export function childProofIdOf(originId: string, range: UnitRange): string {
  return sha256Hex(`proof:${originId}:${range.first}-${range.last}`);
}

/** `IL-{protocolId}-v{version}-{vintage year}-{12 hex of origin}-{first}-{last}`: unique, no counter. */
export function serialOf(protocolId: string, version: number, vintageStart: string, originId: string, range: UnitRange): string {
  return `IL-${protocolId}-v${version}-${vintageStart.slice(0, 4)}-${originId.slice(0, 12)}-${range.first}-${range.last}`;
}

/** The proof of a verified claim, owned by the submitting identity (custodian for the producer). */
export function issueProof(claim: Claim, protocol: ProtocolRecord, votes: readonly Verification[], quantity: number, caller: Caller, stamp: Stamp): ProofOfImpact {
  const id = proofIdOf(claim.id);
  const unitRange = { first: 1, last: quantity };
  return {
    id,
    serial: serialOf(protocol.id, protocol.version, claim.periodStart, id, unitRange),
    claimId: claim.id,
    protocolId: protocol.id,
    protocolVersion: protocol.version,
    category: protocol.category,
    pillar: protocol.pillar,
    sdgTargets: protocol.sdgTargets,
    unit: protocol.unit,
    quantity,
    unitRange,
    vintage: { start: claim.periodStart, end: claim.periodEnd },
    proofLevel: claim.proofLevel,
    producerPseudonym: claim.subjectPseudonym,
    owner: claim.submitter,
    issuer: caller.identity,
    verificationIds: votes.map((v) => v.id).sort(),
    verifiers: votes.map((v) => v.verifier).sort(),
    originId: id,
    depth: 0,
    status: 'active',
    issuedTxId: stamp.txId,
    issuedAt: stamp.timestamp,
    updatedTxId: stamp.txId,
    updatedAt: stamp.timestamp,
  };
}

/** Refuses moves of a retired (PROOF_RETIRED) or split proof, or by anyone but its owner (NOT_OWNER). */
export function assertOwnerMayMove(proof: ProofOfImpact, caller: Caller): void {
  if (proof.status === 'retired') {
    throw new ChaincodeError('PROOF_RETIRED', `proof ${proof.id} is retired; retired quantities never move again`, { retirement: proof.retirement });
  }
  if (proof.status === 'split') {
    throw new ChaincodeError('INVALID_STATE_TRANSITION', `proof ${proof.id} was split; act on its children ${(proof.children ?? []).join(', ')}`, { children: proof.children });
  }
  if (proof.owner !== caller.identity) {
    throw new ChaincodeError('NOT_OWNER', `proof ${proof.id} is owned by ${proof.owner}, not by ${caller.identity}`);
  }
}

/**
 * Refuses (PROOF_SETTLED) a move of units a campaign paid for: they are never transferred again,
 * and only the campaign's funder (their owner since the settlement) retires them.
 */
export function assertSettledMayMove(proof: ProofOfImpact, caller: Caller, action: 'transfer' | 'retire'): void {
  const mark = proof.settlement;
  if (mark === undefined) return;
  if (action === 'retire' && caller.identity === mark.funder) return;
  const rule = action === 'transfer' ? 'settled units are never sold or transferred again' : `only the funder ${mark.funder} retires them`;
  throw new ChaincodeError('PROOF_SETTLED', `proof ${proof.id} was paid for by campaign ${mark.campaignId}: ${rule}`, {
    campaignId: mark.campaignId, funder: mark.funder, txId: mark.txId,
  });
}

/**
 * The proof a settlement gives the campaign's funder: owned by the funder (the settlement is its
 * purchase, at the settled amount), marked as settled by the campaign.
 */
export function settleToFunder(proof: ProofOfImpact, campaign: { id: string; funder: string }, price: Price, stamp: Stamp): ProofOfImpact {
  const settlement: SettlementMark = { campaignId: campaign.id, funder: campaign.funder, txId: stamp.txId, timestamp: stamp.timestamp };
  const owned = proof.owner === campaign.funder ? { ...touched(proof, stamp), price } : transferred(proof, campaign.funder, price, stamp);
  return { ...owned, settlement };
}

/** Parses the quantity to move: 0 < quantity <= the proof's quantity (INSUFFICIENT_QUANTITY). */
export function moveQuantity(proof: ProofOfImpact, quantity: string): number {
  const value = integerArgument(quantity, 'quantity', 1);
  if (value > proof.quantity) {
    throw new ChaincodeError('INSUFFICIENT_QUANTITY', `proof ${proof.id} holds ${proof.quantity}; cannot move ${value}`, { available: proof.quantity, requested: value });
  }
  return value;
}

/** Parses the optional price argument: `""` (none) or `{"amount": int >= 0, "currency": "EUR"}`. */
export function parsePrice(json: string): Price | undefined {
  if (json === '') return undefined;
  const input = asFields(parseJsonArgument(json, 'price'), 'price');
  onlyFields(input, ['amount', 'currency'], 'price');
  return { amount: integer(input.amount, 'price.amount', 0), currency: text(input.currency, 'price.currency', 3, CURRENCY) };
}

function touched(proof: ProofOfImpact, stamp: Stamp): ProofOfImpact {
  return { ...proof, updatedTxId: stamp.txId, updatedAt: stamp.timestamp };
}

function child(parent: ProofOfImpact, range: UnitRange, stamp: Stamp): ProofOfImpact {
  const { children: _children, ...inherited } = parent;
  const id = childProofIdOf(parent.originId, range);
  return {
    ...inherited,
    id,
    serial: serialOf(parent.protocolId, parent.protocolVersion, parent.vintage.start, parent.originId, range),
    quantity: range.last - range.first + 1,
    unitRange: range,
    parentId: parent.id,
    depth: parent.depth + 1,
    status: 'active',
    issuedTxId: stamp.txId,
    issuedAt: stamp.timestamp,
    updatedTxId: stamp.txId,
    updatedAt: stamp.timestamp,
  };
}

/**
 * Splits `proof` into a first child of `quantity` units (the lowest units of its range) and a
 * remainder; the parent becomes `split`. Quantities sum exactly and ranges are contiguous.
 */
export function splitProof(proof: ProofOfImpact, quantity: number, stamp: Stamp): { parent: ProofOfImpact; first: ProofOfImpact; rest: ProofOfImpact } {
  if (quantity < 1 || quantity >= proof.quantity) throw invalid('quantity', `a split needs 0 < quantity < ${proof.quantity}`);
  if (proof.depth >= MAX_SPLIT_DEPTH) {
    throw new ChaincodeError('SPLIT_DEPTH_EXCEEDED', `proof ${proof.id} is ${proof.depth} splits below its origin; move it whole`, { maxDepth: MAX_SPLIT_DEPTH });
  }
  const cut = proof.unitRange.first + quantity - 1;
  const first = child(proof, { first: proof.unitRange.first, last: cut }, stamp);
  const rest = child(proof, { first: cut + 1, last: proof.unitRange.last }, stamp);
  return { parent: { ...touched(proof, stamp), status: 'split', children: [first.id, rest.id] }, first, rest };
}

function transferred(proof: ProofOfImpact, newOwner: string, price: Price | undefined, stamp: Stamp): ProofOfImpact {
  const { price: _previous, ...rest } = touched(proof, stamp);
  return { ...rest, owner: newOwner, lastTransfer: { from: proof.owner, txId: stamp.txId, timestamp: stamp.timestamp }, ...(price ? { price } : {}) };
}

/** Transfers `quantity` units to `newOwner`: the whole proof, or a split-off child of it. */
export function transferProof(proof: ProofOfImpact, newOwner: string, quantity: number, price: Price | undefined, stamp: Stamp): AssetMove {
  if (newOwner === proof.owner) throw invalid('newOwner', 'is already the owner');
  if (quantity === proof.quantity) return { moved: transferred(proof, newOwner, price, stamp) };
  const { parent, first, rest } = splitProof(proof, quantity, stamp);
  return { moved: transferred(first, newOwner, price, stamp), remainder: rest, parent };
}

function retired(proof: ProofOfImpact, beneficiary: string, purpose: string, stamp: Stamp): ProofOfImpact {
  return { ...touched(proof, stamp), status: 'retired', retirement: { beneficiary, purpose, txId: stamp.txId, timestamp: stamp.timestamp } };
}

/** Retires `quantity` units for a beneficiary: the whole proof, or a split-off child of it. */
export function retireProof(proof: ProofOfImpact, quantity: number, beneficiary: string, purpose: string, stamp: Stamp): AssetMove {
  const who = text(beneficiary, 'beneficiary', 256);
  const why = text(purpose, 'purpose', 1024);
  if (quantity === proof.quantity) return { moved: retired(proof, who, why, stamp) };
  const { parent, first, rest } = splitProof(proof, quantity, stamp);
  return { moved: retired(first, who, why, stamp), remainder: rest, parent };
}
