/**
 * Endorsement-time verification of a claim's credential. The credential travels in the
 * proposal's transient data (never written to a block or to state); every endorsing peer checks
 * it against the protocol version read from its own state with @impact-ledger/credentials (the
 * gateway's checks): JSON-LD with the bundled contexts only (static loader, nothing fetched),
 * the eddsa-rdfc-2022 proof, a trusted issuer of that version, the subject schema, validity at
 * the transaction timestamp, then derives the RDFC-1.0 credential hash, quantity, period, issuer
 * and subject pseudonym itself. Identical inputs give identical results on every peer.
 */
import {
  checkCredential, checkCredentialStatus, createStaticDocumentLoader, CredentialError, statusListUrlsOf, type DocumentLoader, type JsonObject,
} from '@impact-ledger/credentials';
import type { Context } from 'fabric-contract-api';
import { CREDENTIAL_TRANSIENT_KEY, MAX_STATUS_LISTS_PER_CREDENTIAL, type CredentialFacts, type ProtocolRecord } from '../domain';
import { ChaincodeError, isErrorCode } from '../errors';
import { Keys } from '../ledger/keys';
import { parseStatusListRecord } from '../ledger/records';
import type { LedgerState } from '../ledger/state';

/** Largest credential accepted, in bytes of its JSON (the gateway's default limit). */
export const MAX_CREDENTIAL_BYTES = 64 * 1024;

/**
 * How far the transaction timestamp (chosen by the client) may be from the endorsing peer's
 * clock: 5 minutes, the tolerance the gateway allows issuers' clocks too.
 */
export const MAX_TX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * The endorsing peer's clock. The ONE reading of the local clock in the chaincode: a proposal
 * whose timestamp is more than {@link MAX_TX_CLOCK_SKEW_MS} from it is refused before anything
 * is read or written, so endorsements can only differ by one peer refusing (never in their
 * read/write sets), and a client cannot backdate a transaction to slip an expired credential
 * in. Replaceable only by the in-memory test peer, whose clock is its own transaction clock.
 */
export const peerClock = { now: (): number => Date.now() };

/** Refuses (TX_TIMESTAMP_SKEW) a transaction timestamp too far from the peer's clock. */
export function assertTimestampNearPeerClock(txTime: Date): void {
  const peerNow = peerClock.now();
  const skewMs = txTime.getTime() - peerNow;
  if (Math.abs(skewMs) > MAX_TX_CLOCK_SKEW_MS) {
    throw new ChaincodeError('TX_TIMESTAMP_SKEW', `the transaction timestamp ${txTime.toISOString()} is ${Math.round(skewMs / 1000)} s from this peer's clock; at most ${MAX_TX_CLOCK_SKEW_MS / 1000} s are tolerated`, {
      txTimestamp: txTime.toISOString(),
      maxSkewSeconds: MAX_TX_CLOCK_SKEW_MS / 1000,
    });
  }
}

/** The credential in the transient data, parsed; INVALID_CREDENTIAL when missing or not JSON. */
export function transientCredential(ctx: Context): unknown {
  const bytes = ctx.stub.getTransient().get(CREDENTIAL_TRANSIENT_KEY);
  if (bytes === undefined || bytes.length === 0) {
    throw new ChaincodeError('INVALID_CREDENTIAL', `the credential must travel in the transient data under "${CREDENTIAL_TRANSIENT_KEY}"`);
  }
  if (bytes.length > MAX_CREDENTIAL_BYTES) {
    throw new ChaincodeError('CREDENTIAL_TOO_LARGE', `the credential is ${bytes.length} bytes; at most ${MAX_CREDENTIAL_BYTES} are accepted`, {
      bytes: bytes.length, maxBytes: MAX_CREDENTIAL_BYTES,
    });
  }
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
  } catch {
    throw new ChaincodeError('INVALID_CREDENTIAL', `the transient "${CREDENTIAL_TRANSIENT_KEY}" is not JSON`);
  }
}

/** One static loader per issuer key registry (static documents only: safe to share). */
const loaders = new Map<string, DocumentLoader>();

function loaderFor(protocol: ProtocolRecord): DocumentLoader {
  const registry = protocol.issuerKeys ?? [];
  const key = JSON.stringify(registry);
  let loader = loaders.get(key);
  if (loader === undefined) {
    loader = createStaticDocumentLoader({ issuerKeys: registry });
    if (loaders.size >= 64) loaders.clear();
    loaders.set(key, loader);
  }
  return loader;
}

function asChaincodeError(error: CredentialError): ChaincodeError {
  const code = error.code === 'INVALID_ISSUER_KEY' ? 'INVALID_PROTOCOL_SCHEMA' : error.code;
  return new ChaincodeError(isErrorCode(code) ? code : 'INVALID_CREDENTIAL', error.message, { ...error.details });
}

/**
 * Verifies `credential` against `protocol` at the transaction time `txTime`, with the pseudonym
 * salt of the protocol's category; what the claim anchors, or a ChaincodeError carrying the
 * refusal code the gateway would have given (INVALID_SIGNATURE, UNTRUSTED_ISSUER, ...).
 */
export async function verifyCredentialFacts(credential: unknown, protocol: ProtocolRecord, txTime: Date, pseudonymSalt: string): Promise<CredentialFacts> {
  let outcome;
  try {
    outcome = await checkCredential(credential, {
      trustedIssuers: protocol.trustedIssuers,
      ...(protocol.subjectSchema === undefined ? {} : { subjectSchema: protocol.subjectSchema as JsonObject }),
      quantityField: protocol.quantityField,
      periodFields: protocol.periodFields,
      pseudonymSalt,
    }, { now: txTime, documentLoader: loaderFor(protocol), maxBytes: MAX_CREDENTIAL_BYTES });
  } catch (error) {
    if (error instanceof CredentialError) throw asChaincodeError(error);
    throw error;
  }
  if (!outcome.ok) throw new ChaincodeError(outcome.code, outcome.message, { ...outcome.details });
  const { credentialHash, subjectPseudonym, periodStart, periodEnd, quantity, issuer } = outcome;
  return { credentialHash, subjectPseudonym, periodStart, periodEnd, quantity, issuer };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the W3C Bitstring Status List entries of a verified `credential` (if it has
 * `credentialStatus`) against the lists held on the ledger: one point read per distinct list
 * (at most {@link MAX_STATUS_LISTS_PER_CREDENTIAL}), nothing fetched. Each list's proof and
 * validity are judged at the transaction time `txTime`, with the protocol version's static loader
 * (the list must be the credential's issuer's). A set bit refuses CREDENTIAL_REVOKED; a list not on
 * the ledger, not the issuer's or not valid refuses STATUS_LIST_UNAVAILABLE.
 */
export async function assertCredentialStatus(state: LedgerState, credential: unknown, protocol: ProtocolRecord, txTime: Date): Promise<void> {
  if (!isObject(credential) || credential.credentialStatus === undefined) return;
  const urls = statusListUrlsOf(credential);
  if (urls.length > MAX_STATUS_LISTS_PER_CREDENTIAL) {
    throw new ChaincodeError('INVALID_CREDENTIAL', `the credential's status points to ${urls.length} status lists; at most ${MAX_STATUS_LISTS_PER_CREDENTIAL} are checked`, {
      statusLists: urls.length, maxStatusLists: MAX_STATUS_LISTS_PER_CREDENTIAL,
    });
  }
  const lists = new Map<string, JsonObject>();
  for (const url of urls) {
    const record = await state.get(Keys.statusList(url), parseStatusListRecord);
    if (record !== undefined && record.id === url) lists.set(url, record.credential as JsonObject);
  }
  let refusal;
  try {
    refusal = await checkCredentialStatus(credential, lists, loaderFor(protocol), txTime);
  } catch (error) {
    if (error instanceof CredentialError) throw asChaincodeError(error);
    throw error;
  }
  if (refusal !== undefined) throw new ChaincodeError(refusal.code, refusal.message, { ...refusal.details });
}
