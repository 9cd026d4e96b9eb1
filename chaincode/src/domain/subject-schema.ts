/**
 * A protocol's `credentialSubject` JSON Schema must compile when the protocol is registered:
 * a schema that does not would refuse every claim under it. Compiled as the gateway compiles it
 * (gateway/src/credentials/schemas.ts): JSON Schema draft 2020-12, ajv in strict mode with
 * `allErrors` and the ajv-formats formats, and no `loadSchema`, so a remote `$ref` fails instead
 * of being fetched. ajv's compile is deterministic (no clock, randomness or I/O). No Fabric imports.
 */
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ChaincodeError } from '../errors';
import type { Fields } from './args';

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Refuses (INVALID_PROTOCOL_SCHEMA) a subject schema that does not compile. */
export function assertSubjectSchemaCompiles(schema: Fields): void {
  const ajv = new Ajv2020({ strict: true, strictTuples: true, allErrors: true });
  addFormats(ajv);
  try {
    ajv.compile(schema);
  } catch (error) {
    throw new ChaincodeError('INVALID_PROTOCOL_SCHEMA', `the protocol's subjectSchema does not compile as JSON Schema 2020-12 (strict): ${reason(error)}; fix the schema`, {
      field: 'subjectSchema', reason: reason(error),
    });
  }
}
