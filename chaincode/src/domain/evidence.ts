/**
 * What backs a claim beyond its credential: the evidence its proof level requires (mobilite.eco's
 * levels 1 declared, 2 computed, 3 verified; the protocol version names the evidence kinds each
 * level requires, see `EvidenceRequirements` in protocol.ts) and the claim's own additionality
 * (its baseline and counterfactual quantities, tied to the protocol's additionality method by the
 * method's hash). Pure rules: no Fabric imports.
 */
import { ChaincodeError } from '../errors';
import { canonicalJson } from '../ledger/serialize';
import { asFields, hex64, integer, invalid, onlyFields } from './args';
import { sha256Hex } from './hash';
import { EVIDENCE_KIND, MAX_EVIDENCE_KINDS, requiredEvidence, type Additionality, type ProofLevel, type ProtocolDefinition } from './protocol';

/** A claim's named evidence: kind -> sha256 (hex) of the evidence document (trace, computation, attestation...). */
export type ClaimEvidence = Record<string, string>;

/** Parses a claim's named evidence (`{"trace": "<sha256>", ...}`), keys sorted. */
export function parseClaimEvidence(value: unknown): ClaimEvidence {
  const input = asFields(value, 'evidence');
  const kinds = Object.keys(input).sort();
  if (kinds.length > MAX_EVIDENCE_KINDS * 3) throw invalid('evidence', `at most ${MAX_EVIDENCE_KINDS * 3} kinds`);
  const evidence: ClaimEvidence = {};
  for (const kind of kinds) {
    if (!EVIDENCE_KIND.test(kind)) throw invalid(`evidence.${kind}`, `is not an evidence kind (must match ${EVIDENCE_KIND.source})`);
    evidence[kind] = hex64(input[kind], `evidence.${kind}`);
  }
  return evidence;
}

/**
 * Refuses (EVIDENCE_INSUFFICIENT) a claim whose named evidence lacks a kind its declared proof
 * level requires under the protocol version; the details name the level, what it requires and
 * what is missing.
 */
export function assertEvidenceMeetsLevel(protocol: Pick<ProtocolDefinition, 'id' | 'version' | 'evidence'>, proofLevel: ProofLevel, evidence: ClaimEvidence | undefined): void {
  const required = requiredEvidence(protocol, proofLevel);
  const missing = required.filter((kind) => evidence?.[kind] === undefined);
  if (missing.length > 0) {
    throw new ChaincodeError('EVIDENCE_INSUFFICIENT', `proof level ${proofLevel} of protocol ${protocol.id} v${protocol.version} requires evidence ${required.join(', ')}; `
      + `missing: ${missing.join(', ')} (send each as evidence.<kind>: the sha256 of the document), or declare a lower proof level`, {
      proofLevel, required, missing,
    });
  }
}

/** What a submitter states of the claim's additionality, in the protocol's unit. */
export interface AdditionalityQuantities {
  /** The emissions (or impact) of the baseline scenario. */
  baseline: number;
  /** The emissions (or impact) of the counterfactual, what would have happened without the activity. */
  counterfactual: number;
}

/** The claim's additionality record: the quantities, the protocol's method hash and the record's own hash. */
export interface ClaimAdditionality extends AdditionalityQuantities {
  /** sha256 of the protocol version's additionality method (its `hash`, or of its canonical JSON). */
  methodHash: string;
  /** sha256 of the canonical JSON of `{baseline, counterfactual, methodHash}`. */
  hash: string;
}

/** Parses `{baseline, counterfactual}` (non-negative integers). */
export function parseAdditionalityQuantities(value: unknown): AdditionalityQuantities {
  const input = asFields(value, 'additionality');
  onlyFields(input, ['baseline', 'counterfactual'], 'additionality');
  return { baseline: integer(input.baseline, 'additionality.baseline', 0), counterfactual: integer(input.counterfactual, 'additionality.counterfactual', 0) };
}

/** The hash of a protocol's additionality method: the one given, or sha256 of the method's canonical JSON. */
export function methodHashOf(additionality: Additionality): string {
  return 'hash' in additionality ? additionality.hash : sha256Hex(canonicalJson(additionality.method));
}

/** The hash of a claim's additionality record (canonical JSON of quantities and method hash). */
export function additionalityHashOf(record: AdditionalityQuantities & { methodHash: string }): string {
  return sha256Hex(canonicalJson({ baseline: record.baseline, counterfactual: record.counterfactual, methodHash: record.methodHash }));
}

/** The additionality record of a claim under the protocol version. */
export function claimAdditionality(quantities: AdditionalityQuantities, protocol: Pick<ProtocolDefinition, 'additionality'>): ClaimAdditionality {
  const methodHash = methodHashOf(protocol.additionality);
  return { baseline: quantities.baseline, counterfactual: quantities.counterfactual, methodHash, hash: additionalityHashOf({ ...quantities, methodHash }) };
}
