/**
 * impact-ledger chaincode: the contracts fabric-chaincode-node loads (`contracts`), and the
 * contract classes themselves.
 */
import { CampaignsContract } from './contracts/campaigns';
import { ClaimsContract } from './contracts/claims';
import { ProofsContract } from './contracts/proofs';
import { ProtocolsContract } from './contracts/protocols';
import { RevocationContract } from './contracts/revocation';
import { RolesContract } from './contracts/roles';
import { SystemContract } from './contracts/system';

export { CampaignsContract, ClaimsContract, ProofsContract, ProtocolsContract, RevocationContract, RolesContract, SystemContract };
export { CHAINCODE } from './contracts/base';

/** The contracts of the chaincode; `system` is the default contract. */
export const contracts = [SystemContract, RolesContract, ProtocolsContract, ClaimsContract, ProofsContract, CampaignsContract, RevocationContract];

/** The composite-key layout (object types and key builders), for tests and tools. */
export { Keys, ObjectTypes, versionAttribute, type StateKey } from './ledger/keys';
/** Deterministic JSON as the chaincode writes it. */
export { canonicalJson, sortKeysDeep } from './ledger/serialize';
