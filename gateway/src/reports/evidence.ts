/**
 * Report inputs from proofs: a figure of a funder's report is either declared (a value and its
 * source) or read from a Proof of Impact on the ledger (its id). A proof used as an input is
 * checked here, in plain functions over what the ledger adapter (ledger-inputs.ts) read:
 *
 * - not flagged (a revoked credential or issuer, a suspended protocol upstream): REPORT_PROOF_FLAGGED;
 * - not retired for another beneficiary (its figure was claimed elsewhere): REPORT_PROOF_RETIRED_ELSEWHERE;
 * - in the unit the input needs (tonnes, kgCO2e per tonne, basis points): REPORT_UNIT_MISMATCH;
 * - an annual figure of the right year (before = year Y, after = Y + 1, market data of year Y + 1):
 *   REPORT_YEAR_MISMATCH;
 * - of the same producer (pseudonyms are per category, unlinkable across categories: the caller
 *   names the producer's subject id, and the gateway, which holds the network secret, derives the
 *   pseudonym of each proof's category): REPORT_PRODUCER_MISMATCH, or REPORT_PRODUCER_REQUIRED when
 *   proofs of several categories are used without naming the producer.
 *
 * The value of a proof input is the quantity validated at issuance (the origin proof's, even for a
 * split child: a measured figure does not shrink when units move). Each input in the report names
 * where it comes from: `declared` with its source, or `proof` with the proof id, serial, protocol,
 * the issuance transaction id and block, and the verifiers and validator, so the report can be
 * audited like a proof (each proof's audit bundle: GET /v1/proofs/{id}/audit-bundle).
 */
import type { Declared } from './inputs.js';

/** A report input as the caller sends it: declared, or the id of a proof. */
export type InputRef = Declared | { readonly proofId: string };

/** What the ledger says about a proof used as an input (read by the adapter). */
export interface ProofEvidence {
  readonly proofId: string;
  readonly serial: string;
  readonly protocolId: string;
  readonly protocolVersion: number;
  readonly category: string;
  readonly unit: string;
  readonly producerPseudonym: string;
  readonly vintage: { readonly start: string; readonly end: string };
  /** The quantity validated at issuance (the origin proof's). */
  readonly quantity: number;
  readonly proofLevel: string;
  readonly status: string;
  readonly retiredFor?: string;
  /** Ids of the flags on the proof (none for a proof in good standing). */
  readonly flags: readonly string[];
  readonly claimId: string;
  readonly verifiers: readonly string[];
  readonly validator: string;
  /** The issuance transaction (of the origin proof) and its block. */
  readonly txId: string;
  readonly blockNumber: number;
}

/** Where an input of the report comes from. */
export type InputOrigin =
  | { readonly origin: 'declared'; readonly value: number; readonly source: string }
  | { readonly origin: 'proof'; readonly value: number; readonly proofId: string; readonly serial: string; readonly protocolId: string;
    readonly protocolVersion: number; readonly unit: string; readonly year: number; readonly producerPseudonym: string; readonly proofLevel: string;
    readonly claimId: string; readonly verifiers: readonly string[]; readonly validator: string; readonly txId: string; readonly blockNumber: number;
    readonly auditBundle: string };

/** The stable codes of a refused proof input. */
export const EVIDENCE_CODES = [
  'REPORT_PROOF_FLAGGED', 'REPORT_PROOF_RETIRED_ELSEWHERE', 'REPORT_UNIT_MISMATCH', 'REPORT_YEAR_MISMATCH', 'REPORT_PRODUCER_MISMATCH', 'REPORT_PRODUCER_REQUIRED',
] as const;
/** A refused proof input's code. */
export type EvidenceCode = (typeof EVIDENCE_CODES)[number];

/** A proof that cannot serve as the input it was given for (422 with `code`, `field`, `proofId`). */
export class ReportEvidenceError extends Error {
  constructor(readonly code: EvidenceCode, readonly field: string, readonly proofId: string | undefined, reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'ReportEvidenceError';
  }
}

/** What an input must be: its unit, the year offset from the base year, and whether it is the producer's. */
export interface InputRule {
  readonly unit: string;
  /** 0: the base year (before), 1: the year after. */
  readonly yearOffset: 0 | 1;
  readonly producer: boolean;
}

/** True when the input names a proof. */
export function isProofRef(input: InputRef): input is { readonly proofId: string } {
  return 'proofId' in input;
}

const YEAR = /^(\d{4})-01-01$/;

/** The calendar year a proof's vintage covers exactly, or undefined when it is not one calendar year. */
export function annualYear(vintage: { readonly start: string; readonly end: string }): number | undefined {
  const match = YEAR.exec(vintage.start);
  if (match === null) return undefined;
  return vintage.end === `${match[1]}-12-31` ? Number(match[1]) : undefined;
}

/** Options of {@link resolveInputs}. */
export interface ResolveOptions {
  /** A proof retired for this beneficiary is this report's own: accepted. */
  readonly beneficiary?: string;
  /** The producer's pseudonym in a category (from the producer's subject id), when the caller named it. */
  readonly producerPseudonym?: (category: string) => string;
}

/**
 * Resolves named inputs: each declared one as it is, each proof checked against its rule and
 * against the other proofs (one base year, one producer). Throws a {@link ReportEvidenceError}.
 */
export function resolveInputs(inputs: Readonly<Record<string, InputRef>>, rules: Readonly<Record<string, InputRule>>, evidence: ReadonlyMap<string, ProofEvidence>,
  options: ResolveOptions = {}): Record<string, InputOrigin> {
  const resolved: Record<string, InputOrigin> = {};
  let base: { year: number; field: string } | undefined;
  const producers = new Map<string, { pseudonym: string; field: string }>();
  for (const field of Object.keys(inputs).sort()) {
    const input = inputs[field];
    const rule = rules[field];
    if (input === undefined || rule === undefined) continue;
    if (!isProofRef(input)) {
      resolved[field] = { origin: 'declared', value: input.value, source: input.source };
      continue;
    }
    const proof = evidence.get(input.proofId);
    if (proof === undefined) throw new Error(`no evidence read for proof ${input.proofId}`);
    const refuse = (code: EvidenceCode, reason: string): never => {
      throw new ReportEvidenceError(code, field, proof.proofId, `proof ${proof.proofId} ${reason}`);
    };
    if (proof.flags.length > 0) refuse('REPORT_PROOF_FLAGGED', `is flagged (${proof.flags.join(', ')}): its credential, issuer or protocol was revoked or suspended`);
    if (proof.status === 'retired' && proof.retiredFor !== options.beneficiary) refuse('REPORT_PROOF_RETIRED_ELSEWHERE', `was retired for ${proof.retiredFor ?? 'another beneficiary'}`);
    if (proof.unit !== rule.unit) refuse('REPORT_UNIT_MISMATCH', `is in ${proof.unit}; ${field} needs ${rule.unit}`);
    const year = annualYear(proof.vintage);
    if (year === undefined) refuse('REPORT_YEAR_MISMATCH', `covers ${proof.vintage.start}..${proof.vintage.end}, not one calendar year`);
    const fieldYear = year ?? 0;
    if (base === undefined) base = { year: fieldYear - rule.yearOffset, field };
    else if (fieldYear - rule.yearOffset !== base.year) {
      refuse('REPORT_YEAR_MISMATCH', `is of ${fieldYear}; with ${base.field} of ${base.year + (rules[base.field]?.yearOffset ?? 0)}, ${field} must be of ${base.year + rule.yearOffset} (consecutive years)`);
    }
    if (rule.producer) {
      const expected = options.producerPseudonym?.(proof.category);
      if (expected !== undefined && proof.producerPseudonym !== expected) refuse('REPORT_PRODUCER_MISMATCH', "is about another subject than the producer named");
      const seen = producers.get(proof.category);
      if (seen !== undefined && seen.pseudonym !== proof.producerPseudonym) refuse('REPORT_PRODUCER_MISMATCH', `is about another subject than ${seen.field}`);
      producers.set(proof.category, { pseudonym: proof.producerPseudonym, field });
      if (expected === undefined && producers.size > 1) {
        refuse('REPORT_PRODUCER_REQUIRED', `is of category ${proof.category}, another than ${[...producers.keys()].filter((c) => c !== proof.category).join(', ')}: pseudonyms differ across categories, name the producer (its subject id) to link them`);
      }
    }
    resolved[field] = {
      origin: 'proof', value: proof.quantity, proofId: proof.proofId, serial: proof.serial, protocolId: proof.protocolId, protocolVersion: proof.protocolVersion,
      unit: proof.unit, year: fieldYear, producerPseudonym: proof.producerPseudonym, proofLevel: proof.proofLevel, claimId: proof.claimId,
      verifiers: proof.verifiers, validator: proof.validator, txId: proof.txId, blockNumber: proof.blockNumber, auditBundle: `/v1/proofs/${proof.proofId}/audit-bundle`,
    };
  }
  return resolved;
}

/** A resolved input as a declared figure: a proof's source names the proof and its issuance. */
export function asDeclared(input: InputOrigin): Declared {
  if (input.origin === 'declared') return { value: input.value, source: input.source };
  return { value: input.value, source: `proof ${input.proofId} (issued in tx ${input.txId}, block ${input.blockNumber})` };
}

/** The proof ids named by the inputs (each once). */
export function proofIdsOf(inputs: Iterable<InputRef>): string[] {
  const ids = new Set<string>();
  for (const input of inputs) if (isProofRef(input)) ids.add(input.proofId);
  return [...ids].sort();
}
