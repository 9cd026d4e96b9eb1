/**
 * The rules of automatic settlement, as plain functions (no Fabric, no files): which campaigns a
 * newly issued proof is offered to, and what a refusal of `campaigns:Settle` means for the worker.
 * The chaincode still judges every settlement (eligibility, budget, never twice); these rules only
 * decide what the worker asks and whether it may move on.
 */
import type { Campaign, ProofOfImpact } from '@impact-ledger/chaincode/facts';

/**
 * The campaigns a proof is offered to, in the order they are tried: open campaigns in automatic
 * mode of `funder` that pay for the proof's protocol (and version, when named) and that were
 * opened before the proof was issued (an automatic campaign pays for what is issued while it
 * runs; older proofs are the funder's to settle by hand). Sorted by id: every worker run tries
 * them in the same order, and the first that accepts the proof gets it.
 */
export function campaignsFor(proof: Pick<ProofOfImpact, 'protocolId' | 'protocolVersion' | 'issuedAt'>, campaigns: readonly Campaign[], funder: string): Campaign[] {
  return campaigns
    .filter((c) => c.settlementMode === 'automatic' && c.status === 'open' && c.funder === funder)
    .filter((c) => c.protocols.includes(proof.protocolId))
    .filter((c) => c.criteria.protocolVersions?.[proof.protocolId]?.includes(proof.protocolVersion) ?? true)
    .filter((c) => c.timestamp <= proof.issuedAt)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * What a refusal of `campaigns:Settle` means:
 * - `settled`: the proof is settled already (by this worker before a crash, by the funder by hand,
 *   or by another campaign): done, never settled again;
 * - `next`: this campaign does not take the proof (criteria, budget, closed, not the funder's,
 *   a flagged proof): try the next campaign, then move on;
 * - `retry`: the ledger could not answer (MVCC conflict, peer or orderer unavailable, timeout),
 *   or answered NOT_FOUND: the proof of a committed `ProofIssued` event exists, but the event
 *   comes from this organisation's peer as soon as it commits the block, and an endorsing peer
 *   of another organisation that has not received that block yet does not know the proof. The
 *   same event is tried again later, the checkpoint does not move.
 */
export type RefusalOutcome = 'settled' | 'next' | 'retry';

const DONE = new Set(['ALREADY_SETTLED', 'PROOF_SETTLED']);
const NEXT = new Set([
  'NOT_ELIGIBLE', 'BUDGET_EXCEEDED', 'CAMPAIGN_CLOSED', 'FORBIDDEN_ROLE', 'PROOF_FLAGGED', 'PROOF_RETIRED',
  'QUANTITY_OVERFLOW', 'INVALID_ARGUMENT', 'INVALID_STATE_TRANSITION',
]);

/** The outcome of a refusal with stable code `code`. */
export function refusalOutcome(code: string | undefined): RefusalOutcome {
  if (code !== undefined && DONE.has(code)) return 'settled';
  if (code !== undefined && NEXT.has(code)) return 'next';
  return 'retry';
}

/** A position in the event feed: block and index of the event within the block. */
export interface Checkpoint {
  readonly block: number;
  readonly index: number;
}

/** Parses a stored checkpoint; undefined for anything that is not one. */
export function parseCheckpoint(value: unknown): Checkpoint | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const block: unknown = Reflect.get(value, 'block');
  const index: unknown = Reflect.get(value, 'index');
  if (!Number.isSafeInteger(block) || !Number.isSafeInteger(index) || (block as number) < 0 || (index as number) < 0) return undefined;
  return { block: block as number, index: index as number };
}
