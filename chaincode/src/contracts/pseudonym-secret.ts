/**
 * The network's pseudonym secret: held in the private data collection `pseudonymSecret` of the
 * member organisations (network/collections-config.json: memberOnlyRead, memberOnlyWrite), set
 * once at network creation by an operator, read by every endorsing peer to derive subject
 * pseudonyms itself. No client ever supplies a pseudonym or a salt.
 */
import type { Context } from 'fabric-contract-api';
import { assertOperator, PSEUDONYM_SECRET_TRANSIENT_KEY, type Caller } from '../domain';
import { ChaincodeError } from '../errors';

/** The private data collection (its members: Org1MSP..Org3MSP). */
export const PSEUDONYM_COLLECTION = 'pseudonymSecret';
/** The one key of the collection. */
const SECRET_KEY = 'secret';
/** Bounds of the secret's length, in characters (the scripts use 64 hex characters). */
const MIN_SECRET_LENGTH = 32;
const MAX_SECRET_LENGTH = 1024;

/** The secret, or undefined when it was never set (or has not reached this peer). */
export async function readPseudonymSecret(ctx: Context): Promise<string | undefined> {
  const bytes = await ctx.stub.getPrivateData(PSEUDONYM_COLLECTION, SECRET_KEY);
  return bytes.length === 0 ? undefined : Buffer.from(bytes).toString('utf8');
}

/** The secret; PSEUDONYM_SECRET_UNSET until an operator has set it. */
export async function requirePseudonymSecret(ctx: Context): Promise<string> {
  const secret = await readPseudonymSecret(ctx);
  if (secret === undefined) {
    throw new ChaincodeError('PSEUDONYM_SECRET_UNSET', 'the network\'s pseudonym secret is not set on this peer; an operator sets it once with system:SetPseudonymSecret');
  }
  return secret;
}

/** Stores the secret from the transient data; refuses non-operators and a second setting (PSEUDONYM_SECRET_SET). */
export async function setPseudonymSecret(ctx: Context, caller: Caller): Promise<void> {
  assertOperator(caller, 'set the pseudonym secret');
  if (await readPseudonymSecret(ctx) !== undefined) {
    throw new ChaincodeError('PSEUDONYM_SECRET_SET', 'the pseudonym secret is already set; it never changes, or every pseudonym would change with it');
  }
  const bytes = ctx.stub.getTransient().get(PSEUDONYM_SECRET_TRANSIENT_KEY);
  const secret = bytes === undefined ? '' : Buffer.from(bytes).toString('utf8');
  if (secret.length < MIN_SECRET_LENGTH || secret.length > MAX_SECRET_LENGTH || /[\u0000-\u0020\u007f]/.test(secret)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `the transient "${PSEUDONYM_SECRET_TRANSIENT_KEY}" must hold ${MIN_SECRET_LENGTH} to ${MAX_SECRET_LENGTH} printable characters`, {
      field: PSEUDONYM_SECRET_TRANSIENT_KEY,
    });
  }
  await ctx.stub.putPrivateData(PSEUDONYM_COLLECTION, SECRET_KEY, Buffer.from(secret, 'utf8'));
}
