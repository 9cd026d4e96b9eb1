/**
 * Ids of the synthetic proofs the benchmark-only `bench:SeedProofs` writes: the chaincode derives
 * them, and the bench reads the same proofs back by id.
 */
import { claimIdOf } from './claim';
import { sha256Hex } from './hash';
import { proofIdOf } from './proof';

/** The credential hash of synthetic claim `n` of a protocol version. */
export function seededCredentialHash(protocolId: string, version: number, n: number): string {
  return sha256Hex(`bench-seed:${protocolId}:${version}:${n}`);
}

/** The id of synthetic proof `n` of a protocol version. */
export function seededProofId(protocolId: string, version: number, n: number): string {
  return proofIdOf(claimIdOf(seededCredentialHash(protocolId, version, n)));
}
