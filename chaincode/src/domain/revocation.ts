/**
 * Revocation flags and their cascade: an operator marks a credential or a trusted issuer as
 * revoked, or suspends a protocol version; every claim and proof downstream then carries a flag
 * (never deleted), flagged proofs cannot move (PROOF_FLAGGED) until an operator clears the flag.
 * Pure rules: the contract walks the indexes in bounded batches and applies these functions.
 */
import { ChaincodeError } from '../errors';
import { hex64, oneOf, text } from './args';
import { sha256Hex } from './hash';
import type { Caller } from './identity';
import { slug } from './protocol';
import type { Stamp } from './stamp';

/** What a flag is about. */
export const FLAG_KINDS = ['credential', 'issuer', 'protocol'] as const;
/** What a flag is about. */
export type FlagKind = (typeof FLAG_KINDS)[number];

/** Most claims or proofs one cascade transaction writes; the rest is done by `ContinueCascade`. */
export const CASCADE_BATCH = 50;

/** The mark a flagged claim or proof carries (one per flag that reaches it). */
export interface FlagMark {
  flagId: string;
  kind: FlagKind;
  subject: string;
  reason: string;
  txId: string;
  timestamp: string;
}

/** A flag record on the ledger: one per (kind, subject), raised and cleared over time. */
export interface FlagRecord {
  id: string;
  kind: FlagKind;
  /** credential hash, issuer DID, or `protocolId@version`. */
  subject: string;
  reason: string;
  active: boolean;
  raised: Stamp;
  cleared?: Stamp;
  /** True once every downstream claim and proof carries (or, cleared, no longer carries) the mark. */
  cascadeDone: boolean;
  claimsMarked: number;
  proofsMarked: number;
  updatedTxId: string;
  updatedAt: string;
}

/** Anything that can carry flags. */
export interface Flaggable {
  id: string;
  flags?: FlagMark[];
}

/** Deterministic id of the flag of a subject. */
export function flagIdOf(kind: FlagKind, subject: string): string {
  return sha256Hex(`flag:${kind}:${subject}`);
}

/** The subject of a protocol version flag. */
export function protocolSubject(protocolId: string, version: number): string {
  return `${protocolId}@${version}`;
}

/** Parses a flag subject for its kind (a credential hash, a DID, or `protocolId@version`). */
export function parseFlagSubject(kind: FlagKind, value: unknown): string {
  if (kind === 'credential') return hex64(value, 'subject');
  if (kind === 'issuer') return text(value, 'subject', 512);
  const raw = text(value, 'subject', 80, /^[a-z0-9-]{1,64}@[1-9][0-9]{0,9}$/);
  const [id = '', version = ''] = raw.split('@');
  return protocolSubject(slug(id, 'subject'), Number(version));
}

/** Parses the kind argument. */
export function parseFlagKind(value: unknown): FlagKind {
  return oneOf(value, 'kind', FLAG_KINDS);
}

/** Refuses anyone but an operator (NodeOU admin) with FORBIDDEN_ROLE. */
export function assertMayFlag(caller: Caller): void {
  if (!caller.operator) throw new ChaincodeError('FORBIDDEN_ROLE', `only operators raise or clear revocation flags; ${caller.identity} is not one`);
}

/** Raises (or raises again) the flag of a subject. ALREADY_EXISTS while it is active. */
export function raiseFlag(existing: FlagRecord | undefined, kind: FlagKind, subject: string, reason: unknown, stamp: Stamp): FlagRecord {
  if (existing?.active) {
    throw new ChaincodeError('ALREADY_EXISTS', `the ${kind} ${subject} is already flagged (flag ${existing.id})`, { flagId: existing.id });
  }
  return {
    id: flagIdOf(kind, subject), kind, subject, reason: text(reason, 'reason', 1024), active: true, raised: stamp,
    cascadeDone: false, claimsMarked: 0, proofsMarked: 0, updatedTxId: stamp.txId, updatedAt: stamp.timestamp,
  };
}

/** Clears an active flag (INVALID_STATE_TRANSITION when it is not active); the cascade then unmarks. */
export function clearFlag(flag: FlagRecord, stamp: Stamp): FlagRecord {
  if (!flag.active) throw new ChaincodeError('INVALID_STATE_TRANSITION', `flag ${flag.id} is already cleared`, { flagId: flag.id });
  return { ...flag, active: false, cleared: stamp, cascadeDone: false, claimsMarked: 0, proofsMarked: 0, updatedTxId: stamp.txId, updatedAt: stamp.timestamp };
}

/** The mark a flag puts on downstream records. */
export function markOf(flag: FlagRecord): FlagMark {
  return { flagId: flag.id, kind: flag.kind, subject: flag.subject, reason: flag.reason, txId: flag.raised.txId, timestamp: flag.raised.timestamp };
}

/** True when the record carries at least one flag. */
export function isFlagged(record: Flaggable): boolean {
  return (record.flags ?? []).length > 0;
}

/** True when applying the flag's current state to the record would change it. */
export function needsMark(record: Flaggable, flag: FlagRecord): boolean {
  const has = (record.flags ?? []).some((m) => m.flagId === flag.id);
  return flag.active ? !has : has;
}

/**
 * The record with the flag's mark added (active flag) or removed (cleared flag), stamped by the
 * cascade transaction; marks sorted by flag id so every peer writes identical bytes.
 */
export function applyFlag<T extends Flaggable & { updatedTxId: string; updatedAt: string }>(record: T, flag: FlagRecord, stamp: Stamp): T {
  const others = (record.flags ?? []).filter((m) => m.flagId !== flag.id);
  const flags = flag.active ? [...others, markOf(flag)].sort((a, b) => (a.flagId < b.flagId ? -1 : a.flagId > b.flagId ? 1 : 0)) : others;
  const { flags: _old, ...rest } = record;
  return { ...rest, ...(flags.length > 0 ? { flags } : {}), updatedTxId: stamp.txId, updatedAt: stamp.timestamp } as T;
}

/**
 * Refuses to move or settle a flagged proof (PROOF_FLAGGED), naming its flags. The one check every
 * transfer, retirement and settlement calls.
 */
export function assertNotFlagged(proof: Flaggable): void {
  if (isFlagged(proof)) {
    const flags = (proof.flags ?? []).map((m) => ({ flagId: m.flagId, kind: m.kind, subject: m.subject, reason: m.reason }));
    throw new ChaincodeError('PROOF_FLAGGED', `proof ${proof.id} is flagged (${flags.map((f) => `${f.kind} ${f.subject}: ${f.reason}`).join('; ')}); it cannot move until an operator clears the flag`, { flags });
  }
}

/** Refuses a claim that carries a flag (CLAIM_FLAGGED): no proof is issued from it until cleared. */
export function assertClaimNotFlagged(claim: Flaggable): void {
  if (isFlagged(claim)) {
    throw new ChaincodeError('CLAIM_FLAGGED', `claim ${claim.id} is flagged; no proof is issued from it until an operator clears the flag`, {
      flags: (claim.flags ?? []).map((m) => m.flagId),
    });
  }
}

/** Refuses a submission whose credential or issuer is flagged as revoked (CREDENTIAL_REVOKED). */
export function assertNotRevoked(flags: readonly (FlagRecord | undefined)[]): void {
  const active = flags.find((f) => f?.active);
  if (active) {
    throw new ChaincodeError('CREDENTIAL_REVOKED', `the ${active.kind} ${active.subject} is flagged as revoked: ${active.reason}`, { flagId: active.id, kind: active.kind });
  }
}

/** The flag record after a cascade batch: counters and whether it is done. */
export function progressed(flag: FlagRecord, claims: number, proofs: number, done: boolean, stamp: Stamp): FlagRecord {
  return { ...flag, claimsMarked: flag.claimsMarked + claims, proofsMarked: flag.proofsMarked + proofs, cascadeDone: done, updatedTxId: stamp.txId, updatedAt: stamp.timestamp };
}

/** Parses the issuer of a claim submission (as the protocol's trustedIssuers name it: a DID or URL). */
export function parseIssuer(value: unknown): string {
  return text(value, 'issuer', 512);
}
