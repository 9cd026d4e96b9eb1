/**
 * The client side of client-signed transactions (docs/api.md, "Client-signed transactions"), for
 * Node: follows a gateway's 202 signing steps with the user's own key (a node:crypto KeyObject)
 * until the final answer. The checks before each signature and the step follower are the ones the
 * browser dashboard runs (web-client.ts: digest = SHA-256 of the message, creator = this client's
 * certificate, the step's transaction id, the transaction the message invokes); this module adds
 * the key files and the KeyObject signer (ECDSA over SHA-256, DER with a low S). Used by the CLI,
 * the demo seeder, the tests and the benchmarks.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lowSSignature } from '../enrol/ca-client.js';
import { SIGNING_STEPS } from './fabric-messages.js';
import type { SigningStep } from './sessions.js';
import { followSigningSteps, SigningRefused, type WebSigner } from './web-client.js';

export { SigningRefused };

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

/** A 202 step (the `signing` member): the step the gateway's sessions answer. */
export type SigningStepBody = SigningStep;

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

const STEPS: ReadonlySet<unknown> = new Set(SIGNING_STEPS);

/** The signing step of a 202 body, or undefined when the body is none. */
export function signingStepOf(body: unknown): SigningStepBody | undefined {
  if (!isObject(body) || !isObject(body.signing)) return undefined;
  const step = body.signing;
  const strings = ['session', 'transactionId', 'transaction', 'message', 'digest', 'signUrl', 'expiresAt'];
  if (!STEPS.has(step.step) || !strings.every((field) => typeof step[field] === 'string')) return undefined;
  return step as unknown as SigningStepBody;
}

/** Options of {@link followSigning}. */
export interface FollowOptions {
  /** Refuse to sign any other transaction (`contract:Function`). */
  readonly expectedTransaction?: string;
  /** At most this many signatures (default 40: up to 20 attempts of 2 steps, conflicts and cascades included). */
  readonly maxSignatures?: number;
}

/** A signer over the user's KeyObject: DER with a low S. */
export function keyObjectSigner(key: SigningKey): WebSigner {
  return { certificatePem: key.certificatePem, sign: async (message) => lowSSignature(key.privateKey, message) };
}

/**
 * Follows 202 signing steps from `response`: checks and signs each, POSTs the signature to its
 * signUrl with `post`, until an answer that is not 202 (returned as is). Throws
 * {@link SigningRefused} (with a stable code) for a step it refuses to sign.
 */
export async function followSigning<R extends SignableResponse>(response: R, key: SigningKey, post: (path: string, body: { signature: string }) => Promise<R>, options: FollowOptions = {}): Promise<R> {
  return followSigningSteps(response, {
    signer: keyObjectSigner(key),
    ...(options.expectedTransaction === undefined ? {} : { expect: { transaction: options.expectedTransaction } }),
    post,
    maxSteps: options.maxSignatures ?? 40,
  });
}
