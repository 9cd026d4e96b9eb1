/**
 * The audit bundle of a Proof of Impact: one JSON file that lets anyone check the proof with no
 * network and without trusting the gateway that produced it. It holds the provenance records
 * (proof, split ancestors, claim, verifications, protocol version), the credential hash, and the
 * raw Fabric blocks of every transaction that wrote them (envelopes, endorsements, orderer
 * signatures) plus the channel configuration blocks those blocks name (MSP roots, orderers).
 */
import { Type, type Static } from '@sinclair/typebox';

/** The format tag of version 1 bundles. */
export const AUDIT_BUNDLE_FORMAT = 'impact-ledger.audit-bundle/1';

const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'a protobuf common.Block, base64' });
const RecordSchema = Type.Object({}, { additionalProperties: true });

/** One step of the provenance: a transaction and the block that holds it. */
export const BundleStepSchema = Type.Object({
  txId: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  blockNumber: Type.Integer({ minimum: 0 }),
}, { additionalProperties: false });

/** The provenance records, as `proofs:Provenance` returns them. */
export const BundleProvenanceSchema = Type.Object({
  proof: RecordSchema,
  ancestors: Type.Array(RecordSchema),
  validation: RecordSchema,
  verifications: Type.Array(RecordSchema),
  claim: RecordSchema,
  protocol: RecordSchema,
  flags: Type.Optional(Type.Array(RecordSchema)),
}, { additionalProperties: false });

/** The audit bundle (JSON). */
export const AuditBundleSchema = Type.Object({
  format: Type.Literal(AUDIT_BUNDLE_FORMAT),
  channel: Type.String({ minLength: 1 }),
  chaincode: Type.String({ minLength: 1 }),
  proofId: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  credentialHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  provenance: BundleProvenanceSchema,
  steps: Type.Array(BundleStepSchema, { minItems: 1 }),
  /** Block number -> the block, for every block a step names. */
  blocks: Type.Record(Type.String({ pattern: '^[0-9]+$' }), Base64),
  /**
   * Block number -> configuration block: every configuration block of the channel from its
   * genesis block (0) up to the newest one in force for the blocks above (the chain a pinned
   * genesis block vouches for, link by link).
   */
  configBlocks: Type.Record(Type.String({ pattern: '^[0-9]+$' }), Base64),
}, { additionalProperties: false });

/** The audit bundle (JSON). */
export type AuditBundle = Static<typeof AuditBundleSchema>;

/** The steps a verification can fail at. */
export const VERIFY_STEPS = [
  'format', 'trust-anchor', 'config-block', 'config-chain', 'channel', 'block-data-hash', 'orderer-signature', 'transaction', 'transaction-validity',
  'creator-signature', 'endorsement-signature', 'endorsement-policy', 'write-set', 'chain-link', 'credential-hash',
] as const;
/** A step of the verification. */
export type VerifyStep = (typeof VERIFY_STEPS)[number];

/** One failed check: the step and what was wrong. */
export interface VerifyFailure {
  readonly step: VerifyStep;
  readonly message: string;
}

/** The outcome of verifying a bundle. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly failures: VerifyFailure[];
  /** What was checked, for the report. */
  readonly summary: {
    channel: string;
    proofId: string;
    blocks: number;
    transactions: number;
    endorsements: number;
    ordererSignatures: number;
    /**
     * Block hash of the bundle's genesis block (block 0): sha256 of its DER-encoded header
     * (Fabric's block hash, see `blockHash`); '' when the bundle does not hold it.
     */
    genesisHash: string;
    /** True when the genesis block matched the pinned hash the caller gave (`trustedGenesisHash`); false: only self-consistent. */
    trusted: boolean;
    /** Block hash of each configuration block of the verified chain, by block number. */
    configBlockHashes: Record<string, string>;
    credentialChecked: boolean;
    flagged: boolean;
  };
}
