/**
 * Retirement certificates: what a beneficiary shows for a retired Proof of Impact. A W3C
 * Verifiable Credential (VCDM 2.0) whose subject is the retirement as the ledger records it (the
 * proof, its quantity, unit and protocol, the beneficiary and purpose given at retirement, the
 * transaction, its block and timestamp, the link to the proof's audit bundle), issued by the
 * retiring organisation. Pure: built from the proof record and the block number, no clock (its
 * dates are the transaction's timestamp), so the same retirement always gives the same certificate.
 */
import { parseIdentity, type ProofOfImpact } from '@impact-ledger/chaincode/facts';
import { CREDENTIALS_V2_URL, RETIREMENT_CERTIFICATE_CONTEXT_V1_URL, type JsonObject } from '@impact-ledger/credentials';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ApiError } from '../problem.js';

/** The credential type of a retirement certificate (besides VerifiableCredential). */
export const RETIREMENT_CERTIFICATE_TYPE = 'RetirementCertificate';

const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const DateTime = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$', description: 'an ISO 8601 date-time' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });

/** The subject of a retirement certificate: the retirement as recorded on the ledger. */
export const CertificateSubjectSchema = Type.Object({
  id: Type.String({ pattern: '^urn:impact-ledger:proof:[0-9a-f]{64}$', description: 'urn:impact-ledger:proof:<proofId>' }),
  type: Type.Literal('ProofRetirement'),
  proofId: Hex64,
  quantity: Type.Integer({ minimum: 1 }),
  unit: Type.String({ minLength: 1 }),
  pillar: Type.String({ minLength: 1 }),
  protocolId: Type.String({ minLength: 1 }),
  protocolVersion: Type.Integer({ minimum: 1 }),
  vintageStart: Day,
  vintageEnd: Day,
  beneficiary: Type.String({ minLength: 1, description: 'the beneficiary name or reference given at retirement' }),
  purpose: Type.String({ minLength: 1 }),
  retiredBy: Type.String({ minLength: 1, description: 'MSP id of the organisation whose member retired the proof (the issuer)' }),
  retirementDate: DateTime,
  retirementTxId: Hex64,
  retirementBlock: Type.Integer({ minimum: 0 }),
  channel: Type.String({ minLength: 1 }),
  chaincode: Type.String({ minLength: 1 }),
  auditBundle: Type.String({ pattern: '^https?://', description: "the proof's audit bundle at the issuing gateway (verify it with `impact-ledger verify-bundle`)" }),
}, { additionalProperties: false });

/** The subject of a retirement certificate. */
export type CertificateSubject = Static<typeof CertificateSubjectSchema>;

/** A signed retirement certificate (JSON): a VCDM 2.0 credential with an eddsa-rdfc-2022 proof. */
export const RetirementCertificateSchema = Type.Object({
  '@context': Type.Tuple([Type.Literal(CREDENTIALS_V2_URL), Type.Literal(RETIREMENT_CERTIFICATE_CONTEXT_V1_URL)]),
  id: Type.String({ pattern: '^urn:impact-ledger:retirement-certificate:[0-9a-f]{64}$' }),
  type: Type.Tuple([Type.Literal('VerifiableCredential'), Type.Literal(RETIREMENT_CERTIFICATE_TYPE)]),
  name: Type.String(),
  issuer: Type.Object({ id: Type.String({ pattern: '^did:key:z6Mk' }), name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  validFrom: DateTime,
  credentialSubject: CertificateSubjectSchema,
  proof: Type.Object({
    type: Type.Literal('DataIntegrityProof'),
    cryptosuite: Type.Literal('eddsa-rdfc-2022'),
    created: Type.Optional(DateTime),
    verificationMethod: Type.String({ minLength: 1 }),
    proofPurpose: Type.Literal('assertionMethod'),
    proofValue: Type.String({ minLength: 1 }),
  }, { additionalProperties: true }),
}, { additionalProperties: false, description: 'a retirement certificate: a W3C Verifiable Credential (VCDM 2.0, eddsa-rdfc-2022), verify offline with `impact-ledger verify-certificate`' });

/** A signed retirement certificate. */
export type RetirementCertificate = Static<typeof RetirementCertificateSchema>;

/** Who issues certificates at this gateway: its organisation and the did:key it signs with. */
export interface CertificateIssuer {
  readonly mspId: string;
  readonly did: string;
}

/** Ledger facts the proof record does not hold: the retirement's block, where the chaincode runs, the bundle link. */
export interface RetirementFacts {
  readonly blockNumber: number;
  readonly channel: string;
  readonly chaincode: string;
  /** Base URL of the issuing gateway, e.g. `https://gw.org1.example` (no trailing slash). */
  readonly publicUrl: string;
}

/** The retirement of `proof` and the organisation that retired it; a clear problem when it is not retired. */
export function retirementOf(proof: ProofOfImpact): { retirement: NonNullable<ProofOfImpact['retirement']>; retiredBy: string } {
  if (proof.status !== 'retired' || proof.retirement === undefined) {
    throw new ApiError(409, 'PROOF_NOT_RETIRED', `proof ${proof.id} is ${proof.status}, not retired: a certificate exists only for a retired proof (retire it with POST /v1/proofs/${proof.id}/retirements)`, { proofId: proof.id, proofStatus: proof.status });
  }
  // the owner of a retired proof is the identity that retired it (only the owner retires)
  return { retirement: proof.retirement, retiredBy: parseIdentity(proof.owner, 'owner').mspId };
}

/**
 * Refuses a certificate this gateway's organisation may not issue: only the retiring
 * organisation signs for its retirements (RETIRED_BY_OTHER_ORGANISATION names it).
 */
export function assertIssuedHere(proof: ProofOfImpact, issuer: CertificateIssuer): void {
  const { retiredBy } = retirementOf(proof);
  if (retiredBy === issuer.mspId) return;
  throw new ApiError(409, 'RETIRED_BY_OTHER_ORGANISATION',
    `proof ${proof.id} was retired by a member of ${retiredBy}; only ${retiredBy}'s gateway issues its retirement certificate (this gateway is ${issuer.mspId}'s)`,
    { proofId: proof.id, retiredBy });
}

/** The audit bundle link of a proof at a gateway. */
export function auditBundleUrl(publicUrl: string, proofId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/v1/proofs/${proofId}/audit-bundle`;
}

/** The unsigned certificate of a retired proof (refused when not retired, or retired by another organisation). */
export function retirementCertificate(proof: ProofOfImpact, facts: RetirementFacts, issuer: CertificateIssuer): JsonObject {
  assertIssuedHere(proof, issuer);
  const { retirement, retiredBy } = retirementOf(proof);
  const subject: CertificateSubject = {
    id: `urn:impact-ledger:proof:${proof.id}`,
    type: 'ProofRetirement',
    proofId: proof.id,
    quantity: proof.quantity,
    unit: proof.unit,
    pillar: proof.pillar,
    protocolId: proof.protocolId,
    protocolVersion: proof.protocolVersion,
    vintageStart: proof.vintage.start,
    vintageEnd: proof.vintage.end,
    beneficiary: retirement.beneficiary,
    purpose: retirement.purpose,
    retiredBy,
    retirementDate: retirement.timestamp,
    retirementTxId: retirement.txId,
    retirementBlock: facts.blockNumber,
    channel: facts.channel,
    chaincode: facts.chaincode,
    auditBundle: auditBundleUrl(facts.publicUrl, proof.id),
  };
  return {
    '@context': [CREDENTIALS_V2_URL, RETIREMENT_CERTIFICATE_CONTEXT_V1_URL],
    id: `urn:impact-ledger:retirement-certificate:${proof.id}`,
    type: ['VerifiableCredential', RETIREMENT_CERTIFICATE_TYPE],
    name: 'Certificate of retirement of a Proof of Impact',
    issuer: { id: issuer.did, name: issuer.mspId },
    validFrom: retirement.timestamp,
    credentialSubject: { ...subject },
  };
}

/** Parses a signed certificate's shape (not its proof): the certificate, or the paths that do not match. */
export function parseRetirementCertificate(value: unknown): { certificate: RetirementCertificate } | { violations: string[] } {
  if (Value.Check(RetirementCertificateSchema, value)) return { certificate: value };
  return { violations: [...Value.Errors(RetirementCertificateSchema, value)].slice(0, 10).map((error) => `${error.path || '/'}: ${error.message}`) };
}
