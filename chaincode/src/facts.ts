/**
 * The chaincode's facts for code that reads the ledger from outside (the gateway, the offline
 * audit-bundle verifier): key layout, id derivations, canonical JSON and record parsers. Pure:
 * nothing in this module's import graph loads Fabric (fabric-shim, fabric-contract-api), so a
 * tool can import `@impact-ledger/chaincode/facts` without a chaincode runtime. A unit test
 * guards that.
 */
export { compositeKeyText, Keys, ObjectTypes, versionAttribute, type StateKey } from './ledger/keys';
export { canonicalBytes, canonicalJson, sortKeysDeep } from './ledger/serialize';
export {
  parseClaim, parseFlagRecord, parseProof, parseProtocolRecord, parseVerification, recordParser, type RecordParser,
} from './ledger/records';
export { sha256Hex } from './domain/hash';
export { claimIdOf, type Claim } from './domain/claim';
export { additionalityHashOf, methodHashOf, type ClaimAdditionality } from './domain/evidence';
export { childProofIdOf, proofIdOf, txIdsOf, validationStepOf, type AssetMove, type ProofOfImpact, type ProvenanceValidation } from './domain/proof';
export { verificationIdOf, type Verification } from './domain/quorum';
export { flagIdOf, type FlagRecord } from './domain/revocation';
export type { ProtocolRecord } from './domain/protocol';
export { ChaincodeError } from './errors';
export { parseIdentity } from './domain/identity';
export { parseCampaign, parseRoleRecord, parseSettlement, parseStatusListRecord } from './ledger/records';
export type { Campaign, Settlement, RoleRecord, StatusListRecord } from './domain';
export { qualifiedName, Transactions, type ContractName, type QualifiedTransaction, type TransactionOf } from './transactions';
