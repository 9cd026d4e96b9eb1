/**
 * impact-ledger chaincode: the contracts fabric-chaincode-node loads (`contracts`), and the
 * contract classes themselves.
 */
import { dropDisabledLogMessagesEarly } from './logging';
import { CampaignsContract } from './contracts/campaigns';
import { BenchContract } from './contracts/bench';
import { ClaimsContract } from './contracts/claims';
import { ProofsContract } from './contracts/proofs';
import { ProtocolsContract } from './contracts/protocols';
import { RevocationContract } from './contracts/revocation';
import { RolesContract } from './contracts/roles';
import { StatusListsContract } from './contracts/status-lists';
import { SystemContract } from './contracts/system';

dropDisabledLogMessagesEarly();

export { BenchContract, CampaignsContract, ClaimsContract, ProofsContract, ProtocolsContract, RevocationContract, RolesContract, StatusListsContract, SystemContract };
export { CHAINCODE } from './contracts/base';
/** The endorsing peer's clock bound on transaction timestamps (the in-memory test peer sets its own clock). */
export { MAX_TX_CLOCK_SKEW_MS, peerClock } from './contracts/credential';

/**
 * The contracts of the chaincode; `system` is the default contract. The benchmark-only `bench`
 * contract is added only when the chaincode server runs with IL_BENCH_CONTRACT=1 (the same on
 * every peer's server: `npm run bench` sets it, `npm start` never does).
 */
export const contracts = [
  SystemContract, RolesContract, ProtocolsContract, ClaimsContract, ProofsContract, CampaignsContract, RevocationContract, StatusListsContract,
  ...(process.env.IL_BENCH_CONTRACT === '1' ? [BenchContract] : []),
];

/** The composite-key layout (object types and key builders), for tests and tools. */
export { Keys, ObjectTypes, versionAttribute, type StateKey } from './ledger/keys';
/** Deterministic JSON as the chaincode writes it. */
export { canonicalJson, sortKeysDeep } from './ledger/serialize';
