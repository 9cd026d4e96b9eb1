/**
 * How a process signs Fabric messages with a key it holds: fabric-gateway hands the signer the
 * whole message (`hash.none`) and the signer signs it through node:crypto (OpenSSL: SHA-256, ECDSA
 * P-256, DER with a low S, which Fabric requires). fabric-gateway's own `signers.newPrivateKeySigner`
 * signs in JavaScript (@noble/curves): about 2 ms of CPU a signature on the 2-core reference host,
 * against 0.08 ms here, and a transaction takes three signatures (proposal, transaction, commit
 * status), a read one. Used by the gateway for the identities it holds and by the benchmark's
 * direct client, so that both sides of the HTTP/direct comparison sign alike.
 */
import { hash, type Hash, type Signer } from '@hyperledger/fabric-gateway';
import type { KeyObject } from 'node:crypto';
import { lowSSignature } from '../enrol/ca-client.js';

/** The `signer` and `hash` connect options for a P-256 private key. */
export interface KeySigning {
  readonly signer: Signer;
  readonly hash: Hash;
}

/** Signs with `key` through node:crypto; `hash.none` because the signer hashes the message itself. */
export function keySigning(key: KeyObject): KeySigning {
  return { signer: async (message) => lowSSignature(key, message), hash: hash.none };
}
