/**
 * The client side of client-signed transactions (docs/api.md, "Client-signed transactions"), for
 * Node: follows a gateway's 202 signing steps with the user's own key until the final answer.
 * Before signing it decodes what it signs: the creator must be its own certificate, the
 * transaction the one expected, the digest the SHA-256 of the message. Signatures are ECDSA over
 * SHA-256, DER with a low S. Used by the CLI, the demo seeder, the tests and the benchmarks.
 */
import fabricProtos from '@hyperledger/fabric-protos';
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lowSSignature } from '../enrol/ca-client.js';

const { common, gateway: gatewayProtos, msp, peer } = fabricProtos;

/** The user's own key and certificate. */
export interface SigningKey {
  readonly certificatePem: string;
  readonly privateKey: KeyObject;
}

/** What an HTTP client answers: the status and the parsed JSON body. */
export interface SignableResponse {
  readonly status: number;
  readonly body: unknown;
}

/** A 202 step (the `signing` member). */
export interface SigningStepBody {
  readonly session: string;
  readonly step: 'proposal' | 'transaction' | 'commit';
  readonly transactionId: string;
  readonly transaction: string;
  readonly message: string;
  readonly digest: string;
  readonly signUrl: string;
  readonly expiresAt: string;
}

/** A step the client refuses to sign (not its own, not the transaction expected, inconsistent). */
export class SigningRefused extends Error {
  override readonly name = 'SigningRefused';
}

/** Reads a key directory (`*_sk`, as network.json's keyDir or a wallet's keystore) and a certificate file. */
export function loadSigningKey(certPath: string, keyDir: string): SigningKey {
  const keyFile = readdirSync(keyDir).find((file) => file.endsWith('_sk'));
  if (keyFile === undefined) throw new Error(`no private key (*_sk) in ${keyDir}`);
  return { certificatePem: readFileSync(certPath, 'utf8'), privateKey: createPrivateKey(readFileSync(path.join(keyDir, keyFile))) };
}

/**
 * Reads an MSP folder holding one key: a wallet made by `impact-ledger enroll`
 * (signcerts/cert.pem, keystore/*_sk) or a user's msp folder made by the network scripts.
 */
export function loadWalletKey(dir: string): SigningKey {
  const certificates = readdirSync(path.join(dir, 'signcerts')).filter((file) => file.endsWith('.pem'));
  if (certificates.length !== 1 || certificates[0] === undefined) throw new Error(`${dir}/signcerts must hold exactly one certificate (found ${certificates.length})`);
  return loadSigningKey(path.join(dir, 'signcerts', certificates[0]), path.join(dir, 'keystore'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STEPS: ReadonlySet<unknown> = new Set(['proposal', 'transaction', 'commit']);

/** The signing step of a 202 body, or undefined when the body is none. */
export function signingStepOf(body: unknown): SigningStepBody | undefined {
  if (!isObject(body) || !isObject(body.signing)) return undefined;
  const step = body.signing;
  const strings = ['session', 'transactionId', 'transaction', 'message', 'digest', 'signUrl', 'expiresAt'];
  if (!STEPS.has(step.step) || !strings.every((field) => typeof step[field] === 'string')) return undefined;
  return step as unknown as SigningStepBody;
}

function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function sameCertificate(idBytes: Uint8Array, certificatePem: string): boolean {
  return pemBody(Buffer.from(idBytes).toString('utf8')) === pemBody(certificatePem);
}

/** Creator, channel and transaction id of a Fabric `Header`. */
function headerFacts(headerBytes: Uint8Array): { creator: Uint8Array; txId: string } {
  const header = common.Header.deserializeBinary(headerBytes);
  const signatureHeader = common.SignatureHeader.deserializeBinary(header.getSignatureHeader_asU8());
  const creator = msp.SerializedIdentity.deserializeBinary(signatureHeader.getCreator_asU8()).getIdBytes_asU8();
  const txId = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8()).getTxId();
  return { creator, txId };
}

/** The function name a proposal invokes (its first argument: `contract:Function`). */
function invokedFunction(proposal: InstanceType<typeof peer.Proposal>): string {
  const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
  const spec = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8()).getChaincodeSpec();
  const first = spec?.getInput()?.getArgsList_asU8()[0];
  return first === undefined ? '' : Buffer.from(first).toString('utf8');
}

/**
 * Checks a step before signing it: the digest is SHA-256 of the message; the message names this
 * client's certificate and the step's transaction id; a proposal invokes the step's transaction,
 * and `expectedTransaction` when given. Throws {@link SigningRefused}; returns the message bytes.
 */
export function checkStep(step: SigningStepBody, key: SigningKey, expectedTransaction?: string): Uint8Array {
  const message = Buffer.from(step.message, 'base64');
  if (createHash('sha256').update(message).digest('base64') !== step.digest) throw new SigningRefused('the digest is not the SHA-256 of the message');
  if (expectedTransaction !== undefined && step.transaction !== expectedTransaction) {
    throw new SigningRefused(`asked to sign ${step.transaction}, expected ${expectedTransaction}`);
  }
  let creator: Uint8Array;
  let txId: string;
  try {
    if (step.step === 'proposal') {
      const proposal = peer.Proposal.deserializeBinary(message);
      ({ creator, txId } = headerFacts(proposal.getHeader_asU8()));
      const invoked = invokedFunction(proposal);
      if (invoked !== step.transaction) throw new SigningRefused(`the proposal invokes ${invoked}, not ${step.transaction}`);
    } else if (step.step === 'transaction') {
      const header = common.Payload.deserializeBinary(message).getHeader();
      if (header === undefined) throw new SigningRefused('the transaction has no header');
      ({ creator, txId } = headerFacts(header.serializeBinary()));
    } else {
      const request = gatewayProtos.CommitStatusRequest.deserializeBinary(message);
      creator = msp.SerializedIdentity.deserializeBinary(request.getIdentity_asU8()).getIdBytes_asU8();
      txId = request.getTransactionId();
    }
  } catch (error) {
    if (error instanceof SigningRefused) throw error;
    throw new SigningRefused(`the ${step.step} message cannot be decoded: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!sameCertificate(creator, key.certificatePem)) throw new SigningRefused(`the ${step.step} is not made out to this client's certificate`);
  if (txId !== step.transactionId) throw new SigningRefused(`the ${step.step} is for transaction ${txId}, not ${step.transactionId}`);
  return message;
}

/** Options of {@link followSigning}. */
export interface FollowOptions {
  /** Refuse to sign any other transaction (`contract:Function`). */
  readonly expectedTransaction?: string;
  /** At most this many signatures (default 40: up to 10 conflicting attempts of 3 steps, plus cascades). */
  readonly maxSignatures?: number;
}

/**
 * Follows 202 signing steps from `response`: checks and signs each, POSTs the signature to its
 * signUrl with `post`, until an answer that is not a signing step (returned as is).
 */
export async function followSigning<R extends SignableResponse>(response: R, key: SigningKey, post: (path: string, body: { signature: string }) => Promise<R>, options: FollowOptions = {}): Promise<R> {
  let current = response;
  for (let signatures = 0; ; signatures++) {
    const step = current.status === 202 ? signingStepOf(current.body) : undefined;
    if (step === undefined) return current;
    if (signatures >= (options.maxSignatures ?? 40)) throw new SigningRefused(`more than ${signatures} signatures asked for one request`);
    const message = checkStep(step, key, options.expectedTransaction);
    current = await post(step.signUrl, { signature: Buffer.from(lowSSignature(key.privateKey, message)).toString('base64') });
  }
}
