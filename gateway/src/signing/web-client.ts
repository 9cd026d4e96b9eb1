/**
 * The client's side of client-signed transactions (issue #18; protocol in docs/api.md) over
 * WebCrypto and an injected HTTP `post` only, with no Node API: the browser dashboard runs it as
 * is, and Node's WebCrypto runs it in the unit tests (client.ts adapts it to a
 * node:crypto KeyObject for the CLI, the seeder, the bench and the tests). The private key is a non-extractable CryptoKey: it signs, it is never exported.
 *
 * For every 202 `{signing}` step the client checks, before signing:
 *   - digest = SHA-256(message) (what Fabric verifies is a signature over that digest);
 *   - the message is what the step says: creator = this client's certificate, transaction id =
 *     the step's (and the same one from proposal to transaction), the transaction name it asked
 *     for and every argument value it expects;
 * then signs the message (ECDSA P-256 / SHA-256), encodes DER with low S and posts it to signUrl,
 * and follows 202s until the final answer, which it returns as is.
 */
import { p1363ToDer } from './der.js';
import { base64ToBytes, bytesToBase64, derOfPem, EncodingError, pemBlocks, sameBytes, spkiOfCertificateDer } from './encoding.js';
import { describeSigningMessage, SIGNING_STEPS, type SigningStepName } from './fabric-messages.js';

export type ClientSigningCode =
  | 'SIGNING_STEP_MALFORMED' | 'DIGEST_MISMATCH' | 'UNEXPECTED_TRANSACTION' | 'UNEXPECTED_ARGUMENTS'
  | 'NOT_MY_IDENTITY' | 'TRANSACTION_ID_MISMATCH' | 'TOO_MANY_SIGNING_STEPS' | 'WALLET_INVALID' | 'KEY_CERTIFICATE_MISMATCH';

/** A step the client refuses to sign, with a stable code (nothing was signed for that step). */
export class SigningRefused extends Error {
  override readonly name = 'SigningRefused';
  constructor(readonly code: ClientSigningCode, message: string) {
    super(message);
  }
}

export interface SigningStep {
  readonly session: string;
  readonly step: SigningStepName;
  readonly transactionId: string;
  readonly transaction: string;
  readonly message: Uint8Array<ArrayBuffer>;
  readonly digest: Uint8Array<ArrayBuffer>;
  readonly signUrl: string;
  readonly expiresAt: string;
}

const isStepName = (value: string): value is SigningStepName => (SIGNING_STEPS as readonly string[]).includes(value);

/** The `signing` object of a 202 answer, or a SIGNING_STEP_MALFORMED refusal. */
export function parseSigningStep(body: unknown): SigningStep {
  const bad = (why: string): never => { throw new SigningRefused('SIGNING_STEP_MALFORMED', `the gateway's signing step is malformed: ${why}`); };
  const signing: unknown = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['signing'] : undefined;
  if (typeof signing !== 'object' || signing === null) return bad('no "signing" object');
  const field = (name: string): string => {
    const value = (signing as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? value : bad(`"${name}" is not a string`);
  };
  const step = field('step');
  if (!isStepName(step)) return bad(`unknown step "${step}"`);
  const signUrl = field('signUrl');
  if (!signUrl.startsWith('/v1/signing/')) bad('signUrl is not a /v1/signing/ path of this gateway');
  const bytes = (name: string): Uint8Array<ArrayBuffer> => {
    try { return base64ToBytes(field(name)); } catch (error) { if (error instanceof SigningRefused) throw error; return bad(`"${name}" is not base64`); }
  };
  return {
    session: field('session'), step, transactionId: field('transactionId'), transaction: field('transaction'),
    message: bytes('message'), digest: bytes('digest'), signUrl, expiresAt: field('expiresAt'),
  };
}

/** A key that signs for a certificate: `sign` returns DER with low S. */
export interface WebSigner {
  readonly certificatePem: string;
  sign(message: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
}

/** A WebCrypto key, spelled so that both the DOM's and Node's typings accept it. */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A signer over a WebCrypto private key (WebCrypto hashes the message with SHA-256 itself). */
export function webCryptoSigner(privateKey: WebCryptoKey, certificatePem: string): WebSigner {
  return {
    certificatePem,
    sign: async (message) => p1363ToDer(new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, privateKey, message))),
  };
}

/**
 * A signer from a user's wallet files (the PKCS#8 PEM key and the certificate PEM that
 * `impact-ledger enroll` writes; one text may hold both): the key is imported non-extractable,
 * and must be the certificate's (checked by signing a fresh challenge and verifying it).
 */
export async function signerFromWallet(texts: readonly string[]): Promise<WebSigner & { readonly privateKey: WebCryptoKey }> {
  let blocks;
  try { blocks = texts.flatMap((text) => pemBlocks(text)); } catch (error) {
    throw new SigningRefused('WALLET_INVALID', error instanceof EncodingError ? error.message : String(error));
  }
  const keys = blocks.filter((b) => b.label === 'PRIVATE KEY');
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (blocks.some((b) => b.label === 'EC PRIVATE KEY' || b.label === 'ENCRYPTED PRIVATE KEY')) {
    throw new SigningRefused('WALLET_INVALID', 'the key must be an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"), as impact-ledger enroll writes it');
  }
  if (keys.length !== 1 || certificates.length !== 1 || keys[0] === undefined || certificates[0] === undefined) {
    throw new SigningRefused('WALLET_INVALID', `choose the wallet's key (keystore/*_sk) and certificate (signcerts/cert.pem): found ${keys.length} key(s), ${certificates.length} certificate(s)`);
  }
  const certificateDer = certificates[0].der;
  let privateKey: WebCryptoKey;
  let publicKey: WebCryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('pkcs8', keys[0].der, EC_P256, false, ['sign']);
    publicKey = await crypto.subtle.importKey('spki', spkiOfCertificateDer(certificateDer), EC_P256, false, ['verify']);
  } catch (error) {
    throw new SigningRefused('WALLET_INVALID', `not an ECDSA P-256 key and certificate: ${error instanceof Error ? error.message : String(error)}`);
  }
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const proof = await crypto.subtle.sign(ECDSA_SHA256, privateKey, challenge);
  if (!(await crypto.subtle.verify(ECDSA_SHA256, publicKey, proof, challenge))) {
    throw new SigningRefused('KEY_CERTIFICATE_MISMATCH', 'the key is not the certificate\'s: choose the key and certificate of the same wallet');
  }
  const certificatePem = `-----BEGIN CERTIFICATE-----\n${bytesToBase64(certificateDer).replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  return { ...webCryptoSigner(privateKey, certificatePem), privateKey };
}

/** What the client asked for: the transaction (`contract:Function`) and argument values it must carry. */
export interface SigningExpectation {
  readonly transaction: string;
  readonly arguments?: readonly string[];
}

export interface HttpAnswer { readonly status: number; readonly body: unknown }

/** Progress of one step: checked and signed, then accepted (the gateway answered the post). */
export interface SigningProgress { readonly step: SigningStepName; readonly transactionId: string; readonly transaction: string; readonly phase: 'signed' | 'sent' }

export interface StepFollowOptions<R extends HttpAnswer = HttpAnswer> {
  readonly signer: WebSigner;
  /** Without one, any transaction is signed that the message itself invokes as the step says. */
  readonly expect?: SigningExpectation;
  /** POSTs a JSON body to a path of the gateway (with the caller's authentication). */
  readonly post: (path: string, body: { signature: string }) => Promise<R>;
  readonly onProgress?: (progress: SigningProgress) => void;
  /** Upper bound of steps (2 per attempt); default 30. */
  readonly maxSteps?: number;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/**
 * Checks one step against the client's identity and expectation (see the module comment);
 * `currentTransactionId` is the transaction of the proposal signed before, if any.
 */
export async function checkSigningStep(step: SigningStep, certificatePem: string, expect: SigningExpectation | undefined, currentTransactionId?: string): Promise<void> {
  if (!sameBytes(await sha256(step.message), step.digest)) throw new SigningRefused('DIGEST_MISMATCH', 'the digest is not the SHA-256 of the message: not signed');
  if (expect !== undefined && step.transaction !== expect.transaction) throw new SigningRefused('UNEXPECTED_TRANSACTION', `asked to sign ${step.transaction}, expected ${expect.transaction}: not signed`);
  if (step.step !== 'proposal' && currentTransactionId !== undefined && step.transactionId !== currentTransactionId) {
    throw new SigningRefused('TRANSACTION_ID_MISMATCH', `the ${step.step} step is for transaction ${step.transactionId}, the proposal was ${currentTransactionId}: not signed`);
  }
  let content;
  try { content = describeSigningMessage(step.step, step.message); } catch (error) {
    throw new SigningRefused('SIGNING_STEP_MALFORMED', `the ${step.step} message cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  let creator: Uint8Array | undefined;
  try { creator = derOfPem(content.certificatePem, 'CERTIFICATE'); } catch { creator = undefined; }
  if (creator === undefined || !sameBytes(creator, derOfPem(certificatePem, 'CERTIFICATE'))) {
    throw new SigningRefused('NOT_MY_IDENTITY', `the ${step.step} names another creator than this key's certificate: not signed`);
  }
  if (content.transactionId !== step.transactionId) throw new SigningRefused('TRANSACTION_ID_MISMATCH', `the ${step.step} message is for transaction ${content.transactionId}, not ${step.transactionId}: not signed`);
  if (content.args[0] !== step.transaction) throw new SigningRefused('UNEXPECTED_TRANSACTION', `the ${step.step} invokes ${content.args[0] ?? 'nothing'}, not ${step.transaction}: not signed`);
  const missing = (expect?.arguments ?? []).filter((value) => !content.args.slice(1).includes(value));
  if (missing.length > 0) throw new SigningRefused('UNEXPECTED_ARGUMENTS', `the ${step.step} does not carry ${missing.map((m) => JSON.stringify(m)).join(', ')}: not signed`);
}

/**
 * Follows the gateway's signing steps from the first answer of a route: returns the first
 * non-202 answer (a custodial caller's first answer is returned at once). Throws
 * SigningRefused when a step fails a check (that step is then not signed).
 */
export async function followSigningSteps<R extends HttpAnswer>(first: R, options: StepFollowOptions<R>): Promise<R> {
  const maxSteps = options.maxSteps ?? 30;
  let answer = first;
  let transactionId: string | undefined;
  for (let steps = 0; answer.status === 202; steps++) {
    if (steps >= maxSteps) throw new SigningRefused('TOO_MANY_SIGNING_STEPS', `still asked to sign after ${maxSteps} steps: stopped`);
    const step = parseSigningStep(answer.body);
    await checkSigningStep(step, options.signer.certificatePem, options.expect, transactionId);
    transactionId = step.transactionId;
    const signature = await options.signer.sign(step.message);
    const progress = { step: step.step, transactionId: step.transactionId, transaction: step.transaction };
    options.onProgress?.({ ...progress, phase: 'signed' });
    answer = await options.post(step.signUrl, { signature: bytesToBase64(signature) });
    if (answer.status < 300) options.onProgress?.({ ...progress, phase: 'sent' });
  }
  return answer;
}
