/**
 * JSON Schemas (draft 2020-12, ajv in strict mode): the credential envelope the gateway accepts,
 * and the compiled subject schemas of protocols. No schema may reach outside itself: ajv is given
 * no `loadSchema`, so a remote `$ref` fails to compile instead of being fetched.
 */
import { createHash } from 'node:crypto';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { CREDENTIALS_V1_URL, CREDENTIALS_V2_URL } from './contexts/index.js';
import { CredentialError, describeError } from './errors.js';
import type { JsonObject, JsonValue } from './json.js';

/** The parts of a credential the gateway reads, as the envelope schema guarantees them. */
export interface CredentialEnvelope {
  '@context': Array<string | JsonObject>;
  type: string | string[];
  issuer: string | { id: string };
  validFrom?: string;
  validUntil?: string;
  issuanceDate?: string;
  expirationDate?: string;
  credentialSubject: JsonObject & { id: string };
  proof: {
    type: 'DataIntegrityProof';
    cryptosuite: string;
    verificationMethod: string;
    proofPurpose: string;
    proofValue: string;
  };
}

/** A schema violation, JSON-ready: where (a JSON Pointer into the instance) and what. */
export interface SchemaViolation {
  path: string;
  message: string;
}

const dateTime = { type: 'string', format: 'date-time' };
const nonEmpty = { type: 'string', minLength: 1 };

/** The envelope: VCDM 2.0 or 1.1 shape, one subject with an id, one Data Integrity proof. */
export const CREDENTIAL_ENVELOPE_SCHEMA = {
  $id: 'https://impact-ledger.org/schemas/credential-envelope/v1',
  type: 'object',
  required: ['@context', 'type', 'issuer', 'credentialSubject', 'proof'],
  properties: {
    '@context': {
      type: 'array',
      minItems: 1,
      prefixItems: [{ enum: [CREDENTIALS_V2_URL, CREDENTIALS_V1_URL] }],
      items: { anyOf: [nonEmpty, { type: 'object' }] },
    },
    type: {
      anyOf: [
        { const: 'VerifiableCredential' },
        { type: 'array', items: { type: 'string' }, contains: { const: 'VerifiableCredential' } },
      ],
    },
    issuer: {
      anyOf: [nonEmpty, { type: 'object', required: ['id'], properties: { id: nonEmpty } }],
    },
    validFrom: dateTime,
    validUntil: dateTime,
    issuanceDate: dateTime,
    expirationDate: dateTime,
    credentialSubject: { type: 'object', required: ['id'], properties: { id: nonEmpty } },
    proof: {
      type: 'object',
      required: ['type', 'cryptosuite', 'verificationMethod', 'proofPurpose', 'proofValue'],
      properties: {
        type: { const: 'DataIntegrityProof' },
        cryptosuite: nonEmpty,
        verificationMethod: nonEmpty,
        proofPurpose: { const: 'assertionMethod' },
        proofValue: nonEmpty,
        created: dateTime,
      },
    },
  },
  // VCDM 1.1 requires issuanceDate
  if: { type: 'object', required: ['@context'], properties: { '@context': { type: 'array', minItems: 1, prefixItems: [{ const: CREDENTIALS_V1_URL }] } } },
  then: { required: ['issuanceDate'], properties: { issuanceDate: dateTime } },
} as const;

function newAjv(options: { openTuples?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictTuples: options.openTuples !== true, allErrors: true });
  // ajv-formats is CommonJS: its default import is `module.exports`, which also carries `default`
  addFormatsPlugin.default(ajv);
  return ajv;
}

// the envelope fixes only the first @context entry, an open tuple that strict mode would refuse
const envelopeValidator: ValidateFunction<CredentialEnvelope> = newAjv({ openTuples: true }).compile<CredentialEnvelope>(
  CREDENTIAL_ENVELOPE_SCHEMA,
);

/** JSON-ready violations from ajv's errors. */
export function violations(errors: ErrorObject[] | null | undefined): SchemaViolation[] {
  return (errors ?? []).map((error) => ({ path: error.instancePath || '/', message: error.message ?? error.keyword }));
}

/** The credential as a {@link CredentialEnvelope}, or the violations of the envelope schema. */
export function parseEnvelope(credential: JsonObject): { envelope: CredentialEnvelope } | { violations: SchemaViolation[] } {
  if (envelopeValidator(credential)) return { envelope: credential };
  return { violations: violations(envelopeValidator.errors) };
}

/** A compiled subject schema: true for a subject that conforms, else its violations. */
export type SubjectValidator = (subject: JsonValue) => true | SchemaViolation[];

const MAX_CACHED_SCHEMAS = 256;
const compiledSubjectSchemas = new Map<string, SubjectValidator>();

/** sha256 of the schema's JSON with object keys sorted, so key order does not matter. */
function schemaHash(schema: JsonObject): string {
  const sorted = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key] ?? null)]));
  };
  return createHash('sha256').update(JSON.stringify(sorted(schema))).digest('hex');
}

function compile(schema: JsonObject): SubjectValidator {
  let validate: ValidateFunction;
  try {
    // one ajv per schema: two protocols may reuse the same $id for different schemas
    validate = newAjv().compile(schema);
  } catch (error) {
    throw new CredentialError('INVALID_PROTOCOL_SCHEMA', `the protocol's subject schema does not compile: ${describeError(error)}; fix the protocol's subjectSchema`, {}, { cause: error });
  }
  return (subject) => (validate(subject) ? true : violations(validate.errors));
}

/**
 * Compiles a protocol's `credentialSubject` JSON Schema (draft 2020-12, ajv strict mode, formats,
 * no remote `$ref`), cached by the schema's content hash. Throws INVALID_PROTOCOL_SCHEMA when the
 * schema does not compile, so a protocol can be checked when it is registered.
 */
export function compileSubjectSchema(schema: JsonObject): SubjectValidator {
  const key = schemaHash(schema);
  const cached = compiledSubjectSchemas.get(key);
  if (cached !== undefined) return cached;
  const validator = compile(schema);
  if (compiledSubjectSchemas.size >= MAX_CACHED_SCHEMAS) {
    const oldest = compiledSubjectSchemas.keys().next();
    if (oldest.done !== true) compiledSubjectSchemas.delete(oldest.value);
  }
  compiledSubjectSchemas.set(key, validator);
  return validator;
}
