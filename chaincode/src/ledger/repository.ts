/**
 * Record writes that keep their secondary indexes in step: claims (status and protocol indexes),
 * day buckets, proofs (owner, protocol and status indexes) and totals entries.
 */
import {
  claimSlices, occupy, release, type Claim, type DayBucket, type MonthSlice, type ProofOfImpact, type TotalsEntry,
} from '../domain';
import { Keys } from './keys';
import { parseDayBucket } from './records';
import type { LedgerState } from './state';

/** A claim's month slices with the day buckets currently stored for them (same order). */
export interface ClaimDays {
  slices: MonthSlice[];
  buckets: (DayBucket | undefined)[];
}

/** Writes a claim and moves its index entries when its status changed. */
export async function writeClaim(state: LedgerState, claim: Claim, previous?: Claim): Promise<void> {
  await state.put(Keys.claim(claim.id), claim);
  if (!previous) await state.put(Keys.claimByProtocol(claim.protocolId, claim.protocolVersion, claim.id), { id: claim.id });
  if (!previous && claim.issuer !== undefined) await state.put(Keys.claimByIssuer(claim.issuer, claim.id), { id: claim.id });
  if (previous?.status === claim.status) return;
  if (previous) await state.remove(Keys.claimByStatus(previous.status, claim.id));
  await state.put(Keys.claimByStatus(claim.status, claim.id), { id: claim.id });
}

/** Reads the day buckets a claim's period touches (at most 13 keys for 366 days). */
export async function readClaimDays(state: LedgerState, claim: Pick<Claim, 'category' | 'subjectPseudonym' | 'periodStart' | 'periodEnd'>): Promise<ClaimDays> {
  const slices = claimSlices(claim);
  const buckets: (DayBucket | undefined)[] = [];
  for (const slice of slices) buckets.push(await state.get(Keys.days(claim.category, claim.subjectPseudonym, slice.month), parseDayBucket));
  return { slices, buckets };
}

/** Marks the claim's days as held by it. */
export async function occupyDays(state: LedgerState, claim: Claim, days: ClaimDays): Promise<void> {
  for (const [i, slice] of days.slices.entries()) {
    await state.put(Keys.days(claim.category, claim.subjectPseudonym, slice.month), occupy(days.buckets[i], slice, claim.id));
  }
}

/** Frees the claim's days (a bucket left empty is deleted). */
export async function releaseDays(state: LedgerState, claim: Claim): Promise<void> {
  const days = await readClaimDays(state, claim);
  for (const [i, slice] of days.slices.entries()) {
    const key = Keys.days(claim.category, claim.subjectPseudonym, slice.month);
    const remaining = release(days.buckets[i], slice, claim.id);
    if (remaining) await state.put(key, remaining);
    else if (days.buckets[i]) await state.remove(key);
  }
}

/** Writes a proof and keeps the owner, protocol and status indexes in step. */
export async function writeProof(state: LedgerState, proof: ProofOfImpact, previous?: ProofOfImpact): Promise<void> {
  const marker = { id: proof.id };
  await state.put(Keys.proof(proof.id), proof);
  if (!previous) await state.put(Keys.proofByProtocol(proof.protocolId, proof.protocolVersion, proof.id), marker);
  if (previous?.owner !== proof.owner) {
    if (previous) await state.remove(Keys.proofByOwner(previous.owner, proof.id));
    await state.put(Keys.proofByOwner(proof.owner, proof.id), marker);
  }
  if (previous?.status !== proof.status) {
    if (previous) await state.remove(Keys.proofByStatus(previous.status, proof.id));
    await state.put(Keys.proofByStatus(proof.status, proof.id), marker);
  }
}

/** Writes one totals entry under its (pillar, unit, protocol version) prefix. */
export async function writeTotalsEntry(state: LedgerState, item: { entryId: string; entry: TotalsEntry }): Promise<void> {
  const { entry } = item;
  await state.put(Keys.totalsEntry(entry.pillar, entry.unit, entry.protocolId, entry.protocolVersion, item.entryId), entry);
}
