/**
 * checkCredential: everything the endorsing peers check before a claim reaches the ledger
 * (docs/api.md), in order, each failure a refusal with its own code, never an exception for a bad
 * credential; and screenCredential, its cheap part, which a gateway runs first for a fast answer.
 */
import type { DocumentLoader } from './document-loader.js';
import { causeDetails, findCredentialError, jsonLdErrorDetails } from './errors.js';
import { credentialHash, subjectPseudonym } from './hash.js';
import { toJsonObject, type JsonObject } from './json.js';
import {
  checked,
  refuse,
  type Checked,
  type CredentialCheckResult,
  type CredentialRefusal,
  type IntegrityCheckResult,
  type ScreenResult,
} from './result.js';
import { compileSubjectSchema, parseEnvelope, type CredentialEnvelope } from './schemas.js';
import { SUPPORTED_CRYPTOSUITE, verifyProof } from './signature.js';
import { canonicalSubjectId } from './subject-id.js';
import { readPeriod, readQuantity } from './subject-fields.js';

/** Whose credentials are accepted. */
export interface IssuerPolicy {
  /** Issuer ids (the credential's `issuer`, or `issuer.id`) whose credentials are accepted. */
  readonly trustedIssuers: readonly string[];
}

/** What a protocol version asks of its credentials' subject. */
export interface SubjectPolicy extends IssuerPolicy {
  /** JSON Schema (draft 2020-12) the `credentialSubject` must satisfy. */
  readonly subjectSchema?: JsonObject;
  /** Subject field holding the claimed quantity (a positive integer in the protocol's unit). */
  readonly quantityField: string;
  /** Subject fields holding the first and last day of the activity period (`YYYY-MM-DD`). */
  readonly periodFields: { readonly start: string; readonly end: string };
}

/** What a protocol version asks of its credentials, with the salt their subjects' pseudonyms take. */
export interface CredentialPolicy extends SubjectPolicy {
  /** The protocol's secret salt for subject pseudonyms. */
  readonly pseudonymSalt: string;
}

/** How to screen: no document loader, since the screen does no JSON-LD processing. */
export type ScreenOptions = Omit<CheckOptions, 'documentLoader'>;

/** How to check: the clock, the document loader and the size limit are injected. */
export interface CheckOptions {
  /** The time the validity period is judged against. */
  readonly now: Date;
  /** Usually `createStaticDocumentLoader()`; it must never fetch from the network. */
  readonly documentLoader: DocumentLoader;
  /** Largest accepted credential, in bytes of its JSON (UTF-8). */
  readonly maxBytes: number;
  /** Tolerance for issuer clocks ahead of or behind ours, in seconds (default 300). */
  readonly maxClockSkewSeconds?: number;
}

const DEFAULT_CLOCK_SKEW_SECONDS = 300;

/** A credential whose envelope has been parsed, with what it is checked against. */
interface CheckContext<P extends IssuerPolicy = IssuerPolicy, O extends ScreenOptions = CheckOptions> {
  readonly credential: JsonObject;
  readonly envelope: CredentialEnvelope;
  readonly policy: P;
  readonly options: O;
}

type Check<P extends IssuerPolicy, O extends ScreenOptions = CheckOptions> = (context: CheckContext<P, O>) => CredentialRefusal | undefined | Promise<CredentialRefusal | undefined>;

function parseWithinLimit(credential: unknown, maxBytes: number): Checked<JsonObject> {
  const json = toJsonObject(credential);
  if (json === undefined) return refuse('INVALID_CREDENTIAL_SCHEMA', 'the credential must be a JSON object');
  if (json.bytes > maxBytes) {
    return refuse('CREDENTIAL_TOO_LARGE', `the credential is ${json.bytes} bytes; at most ${maxBytes} are accepted`, { bytes: json.bytes, maxBytes });
  }
  return checked(json.object);
}

function checkEnvelope(credential: JsonObject): Checked<CredentialEnvelope> {
  const parsed = parseEnvelope(credential);
  if ('envelope' in parsed) return checked(parsed.envelope);
  return refuse('INVALID_CREDENTIAL_SCHEMA', 'the credential is not a Verifiable Credential with one subject and one Data Integrity proof', {
    violations: parsed.violations.map((violation) => ({ ...violation })),
  });
}

/**
 * The credential's JSON-LD step: its RDFC-1.0 canonicalisation in safe mode (unknown contexts,
 * remote contexts and terms that do not expand are errors), whose SHA-256 is the credential hash.
 * One canonicalisation serves both, so the check expands the credential once less.
 */
async function canonicalHash(credential: JsonObject, documentLoader: DocumentLoader): Promise<Checked<string>> {
  try {
    return checked(await credentialHash(credential, documentLoader));
  } catch (error) {
    const cause = findCredentialError(error);
    if (cause?.code === 'REMOTE_CONTEXT_REFUSED') return refuse('REMOTE_CONTEXT_REFUSED', cause.message, cause.details);
    const details = { ...jsonLdErrorDetails(error), ...causeDetails(error) };
    const reason = [details.reason, details.property].filter((part) => part !== undefined).join(' ');
    return refuse('INVALID_JSON_LD', `the credential is not valid JSON-LD under the supported contexts (${reason}); use only the bundled contexts and defined terms`, details);
  }
}

function checkCryptosuite({ envelope }: CheckContext<IssuerPolicy, ScreenOptions>): CredentialRefusal | undefined {
  const { cryptosuite } = envelope.proof;
  if (cryptosuite === SUPPORTED_CRYPTOSUITE) return undefined;
  return refuse('UNSUPPORTED_CRYPTOSUITE', `proof cryptosuite ${cryptosuite} is not supported; sign with ${SUPPORTED_CRYPTOSUITE}`, {
    cryptosuite,
    supported: [SUPPORTED_CRYPTOSUITE],
  });
}

function issuerOf(envelope: CredentialEnvelope): string {
  return typeof envelope.issuer === 'string' ? envelope.issuer : envelope.issuer.id;
}

function checkIssuerTrust({ envelope, policy }: CheckContext<IssuerPolicy, ScreenOptions>): CredentialRefusal | undefined {
  const issuer = issuerOf(envelope);
  if (policy.trustedIssuers.includes(issuer)) return undefined;
  return refuse('UNTRUSTED_ISSUER', `issuer ${issuer} is not a trusted issuer of this protocol`, { issuer });
}

function checkSignature({ credential, options }: CheckContext): Promise<CredentialRefusal | undefined> {
  return verifyProof(credential, options.documentLoader, options.now);
}

const NOT_BEFORE_FIELDS = ['validFrom', 'issuanceDate'] as const;
const NOT_AFTER_FIELDS = ['validUntil', 'expirationDate'] as const;
type DateField = (typeof NOT_BEFORE_FIELDS)[number] | (typeof NOT_AFTER_FIELDS)[number];

interface DatedField {
  readonly field: DateField;
  readonly value: string;
  readonly time: number;
}

function datedFields(envelope: CredentialEnvelope, fields: readonly DateField[]): DatedField[] {
  const dated: DatedField[] = [];
  for (const field of fields) {
    const value = envelope[field];
    if (value !== undefined) dated.push({ field, value, time: Date.parse(value) });
  }
  return dated;
}

function validityRefusal(code: 'CREDENTIAL_NOT_YET_VALID' | 'CREDENTIAL_EXPIRED', field: DateField, value: string, now: Date): CredentialRefusal {
  const nowIso = now.toISOString();
  const message = code === 'CREDENTIAL_EXPIRED'
    ? `the credential expired at ${value} (${field}; now is ${nowIso}); ask its issuer for a new one`
    : `the credential is valid only from ${value} (${field}; now is ${nowIso})`;
  return refuse(code, message, { field, [field]: value, now: nowIso });
}

/**
 * validFrom/validUntil (VCDM 2.0) and issuanceDate/expirationDate (VCDM 1.1), whichever are
 * present, against the injected clock with the configured skew.
 */
function checkValidityPeriod({ envelope, options }: CheckContext<IssuerPolicy, ScreenOptions>): CredentialRefusal | undefined {
  const skewMs = (options.maxClockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS) * 1000;
  const now = options.now.getTime();
  const unreadable = datedFields(envelope, [...NOT_BEFORE_FIELDS, ...NOT_AFTER_FIELDS]).find(({ time }) => Number.isNaN(time));
  if (unreadable !== undefined) {
    return refuse('INVALID_CREDENTIAL_SCHEMA', `${unreadable.field} (${unreadable.value}) is not a date-time`, { field: unreadable.field });
  }
  const early = datedFields(envelope, NOT_BEFORE_FIELDS).find(({ time }) => time - skewMs > now);
  if (early !== undefined) return validityRefusal('CREDENTIAL_NOT_YET_VALID', early.field, early.value, options.now);
  const late = datedFields(envelope, NOT_AFTER_FIELDS).find(({ time }) => time + skewMs < now);
  if (late !== undefined) return validityRefusal('CREDENTIAL_EXPIRED', late.field, late.value, options.now);
  return undefined;
}

function checkSubjectSchema({ envelope, policy }: CheckContext<SubjectPolicy, ScreenOptions>): CredentialRefusal | undefined {
  if (policy.subjectSchema === undefined) return undefined;
  const outcome = compileSubjectSchema(policy.subjectSchema)(envelope.credentialSubject);
  if (outcome === true) return undefined;
  return refuse('INVALID_SUBJECT_SCHEMA', "the credential subject does not match the protocol's subject schema", {
    violations: outcome.map((violation) => ({ ...violation })),
  });
}

/**
 * The checks that make a credential authentic and current, in order, after its JSON-LD step
 * (canonicalHash); the first refusal wins.
 */
const INTEGRITY_CHECKS: ReadonlyArray<Check<IssuerPolicy>> = [
  checkCryptosuite,
  checkIssuerTrust,
  checkSignature,
  checkValidityPeriod,
];

/**
 * The integrity checks that need neither JSON-LD processing nor the issuer's key, in the same
 * order: the screen's part of them.
 */
const SCREEN_CHECKS: ReadonlyArray<Check<IssuerPolicy, ScreenOptions>> = [
  checkCryptosuite,
  checkIssuerTrust,
  checkValidityPeriod,
];

async function firstRefusal<P extends IssuerPolicy, O extends ScreenOptions>(checks: ReadonlyArray<Check<P, O>>, context: CheckContext<P, O>): Promise<CredentialRefusal | undefined> {
  for (const check of checks) {
    const refusal = await check(context);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

/** Size and envelope: the parsed credential with what it is checked against, or the first refusal. */
function parse<P extends IssuerPolicy, O extends ScreenOptions>(credential: unknown, policy: P, options: O): Checked<CheckContext<P, O>> {
  const parsed = parseWithinLimit(credential, options.maxBytes);
  if (!parsed.ok) return parsed;
  const envelope = checkEnvelope(parsed.value);
  if (!envelope.ok) return envelope;
  return checked({ credential: parsed.value, envelope: envelope.value, policy, options });
}

/** A credential that passed the integrity checks, with its hash. */
interface IntegrityContext<P extends IssuerPolicy> extends CheckContext<P> {
  readonly credentialHash: string;
}

/** Size, envelope, the JSON-LD step and the integrity checks: the credential and its hash, or the first refusal. */
async function checkIntegrity<P extends IssuerPolicy>(credential: unknown, policy: P, options: CheckOptions): Promise<Checked<IntegrityContext<P>>> {
  const parsed = parse(credential, policy, options);
  if (!parsed.ok) return parsed;
  const hash = await canonicalHash(parsed.value.credential, options.documentLoader);
  if (!hash.ok) return hash;
  const context = { ...parsed.value, credentialHash: hash.value };
  return (await firstRefusal(INTEGRITY_CHECKS, context)) ?? checked(context);
}

/**
 * Checks that a credential is authentic and current, for any protocol: size, envelope schema,
 * JSON-LD canonicalisation in safe mode with the injected loader (the credential hash),
 * cryptosuite (eddsa-rdfc-2022 only), issuer trust, Data Integrity proof, validity period against
 * the injected clock. Returns the first refusal, or the issuer and the credential hash (what
 * `POST /v1/credentials/check` looks up). Never throws for a bad credential.
 */
export async function checkCredentialIntegrity(credential: unknown, policy: IssuerPolicy, options: CheckOptions): Promise<IntegrityCheckResult> {
  const integrity = await checkIntegrity(credential, policy, options);
  if (!integrity.ok) return integrity;
  return { ok: true, credentialHash: integrity.value.credentialHash, issuer: issuerOf(integrity.value.envelope) };
}

/** What the subject of a credential states, read under its protocol's policy. */
interface SubjectFacts {
  readonly subjectId: string;
  readonly quantity: number;
  readonly periodStart: string;
  readonly periodEnd: string;
}

/** Subject schema, subject id, quantity and period, in that order: the facts, or the first refusal. */
function readSubject(context: CheckContext<SubjectPolicy, ScreenOptions>): Checked<SubjectFacts> {
  const { envelope, policy } = context;
  const schemaRefusal = checkSubjectSchema(context);
  if (schemaRefusal !== undefined) return schemaRefusal;
  const subject = envelope.credentialSubject;
  const subjectId = canonicalSubjectId(subject.id);
  if (!subjectId.ok) {
    return refuse('INVALID_SUBJECT_ID', `the credential subject id is refused: ${subjectId.reason}; the issuer must identify the subject by a DID or an http, https or urn URL`, { reason: subjectId.reason });
  }
  const quantity = readQuantity(subject, policy.quantityField);
  if (!quantity.ok) return quantity;
  const period = readPeriod(subject, policy.periodFields);
  if (!period.ok) return period;
  return checked({ subjectId: subjectId.value, quantity: quantity.value, periodStart: period.value.start, periodEnd: period.value.end });
}

/** The subject's facts, after the integrity checks; then what the claim anchors. */
function acceptSubject(context: IntegrityContext<CredentialPolicy>): CredentialCheckResult {
  const facts = readSubject(context);
  if (!facts.ok) return facts;
  const { subjectId, quantity, periodStart, periodEnd } = facts.value;
  return {
    ok: true,
    credentialHash: context.credentialHash,
    subjectPseudonym: subjectPseudonym(subjectId, context.policy.pseudonymSalt),
    issuer: issuerOf(context.envelope),
    quantity,
    periodStart,
    periodEnd,
  };
}

/**
 * Checks a credential against a protocol's policy, in this order: size, envelope schema, JSON-LD
 * canonicalisation in safe mode with the injected loader (the credential hash), cryptosuite
 * (eddsa-rdfc-2022 only), issuer trust, Data Integrity proof, validity period, subject schema,
 * subject id (canonicalSubjectId), then quantity and period. Returns the first refusal, or what
 * the claim anchors: credential hash, subject pseudonym, issuer, quantity and period. Never throws for a bad credential; throws a CredentialError
 * (INVALID_PROTOCOL_SCHEMA) only when the policy's subject schema itself does not compile.
 */
export async function checkCredential(credential: unknown, policy: CredentialPolicy, options: CheckOptions): Promise<CredentialCheckResult> {
  const integrity = await checkIntegrity(credential, policy, options);
  return integrity.ok ? acceptSubject(integrity.value) : integrity;
}

/**
 * Screens a credential against a protocol's policy: the steps of `checkCredential` that need
 * neither JSON-LD processing nor the issuer's key (size, envelope schema, cryptosuite, issuer
 * trust, validity period, subject schema, subject id, quantity and period), in the same order.
 * Every refusal it gives, `checkCredential` gives too (perhaps with the code of an earlier step:
 * a tampered, expired credential is INVALID_SIGNATURE there and CREDENTIAL_EXPIRED here), so it
 * never refuses what the binding check would accept. It does not make a credential authentic:
 * the signature, the JSON-LD and the hash are left to `checkCredential`. A small fraction of its
 * cost (no canonicalisation), for a fast answer to the usual mistakes.
 */
export async function screenCredential(credential: unknown, policy: SubjectPolicy, options: ScreenOptions): Promise<ScreenResult> {
  const screened = parse(credential, policy, options);
  if (!screened.ok) return screened;
  const refusal = await firstRefusal(SCREEN_CHECKS, screened.value);
  if (refusal !== undefined) return refusal;
  const facts = readSubject(screened.value);
  if (!facts.ok) return facts;
  const { quantity, periodStart, periodEnd } = facts.value;
  return { ok: true, issuer: issuerOf(screened.value.envelope), quantity, periodStart, periodEnd };
}
