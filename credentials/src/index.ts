/**
 * @impact-ledger/credentials: the credential checks shared by the gateway (early refusal at intake)
 * and the chaincode (verification at endorsement): a static JSON-LD document loader with the
 * bundled contexts, JSON Schemas, the eddsa-rdfc-2022 proof check, issuer trust, validity, subject
 * fields, status lists and the hashes a claim anchors. Only what is exported here is public.
 */
export {
  checkCredential, checkCredentialIntegrity, screenCredential, type CheckOptions, type CredentialPolicy, type IssuerPolicy, type ScreenOptions, type SubjectPolicy,
} from './verify.js';
export {
  CREDENTIAL_REFUSAL_CODES,
  type AcceptedCredential,
  type CredentialCheckResult,
  type CredentialRefusal,
  type CredentialRefusalCode,
  type IntegrityCheckResult,
  type ScreenedCredential,
  type ScreenResult,
  type VerifiedCredential,
} from './result.js';
export { createStaticDocumentLoader, type DocumentLoader, type LoadedDocument, type StaticDocumentLoaderOptions } from './document-loader.js';
export type { IssuerKeyRecord, IssuerVerificationKey } from './issuer-keys.js';
export {
  CREDENTIALS_EXAMPLES_V2_URL,
  CREDENTIALS_V1_URL,
  CREDENTIALS_V2_URL,
  IMPACT_LEDGER_CONTEXT_V1_URL,
  RETIREMENT_CERTIFICATE_CONTEXT_V1_URL,
} from './contexts/index.js';
export { CREDENTIAL_ENVELOPE_SCHEMA, compileSubjectSchema, type SchemaViolation, type SubjectValidator } from './schemas.js';
export {
  checkCredentialStatus, isStatusListCredential, statusListFactsOf, statusListUrlsOf, verifyStatusListCredential,
  type PublishRefusal, type StatusListSource, type StatusRefusal,
} from './status-list.js';
export { STATUS_LIST_CLOCK_SKEW_MS, statusListAcceptance, type StatusListFacts, type StatusListRefusal } from './status-list-policy.js';
export { canonicalNQuads, credentialHash, pseudonymSaltFor, subjectPseudonym } from './hash.js';
export { generateIssuerKey, signCredential, type IssuerKeyPair, type SignOptions } from './issue.js';
export { CREDENTIAL_ERROR_CODES, CredentialError, type CredentialErrorCode } from './errors.js';
export { MAX_PERIOD_DAYS } from './subject-fields.js';
export { canonicalSubjectId, MAX_SUBJECT_ID_LENGTH, type SubjectIdCheck } from './subject-id.js';
export type { JsonObject, JsonPrimitive, JsonValue } from './json.js';
