/**
 * What every contract shares: who the caller is (identity string and NodeOU operator flag), the
 * transaction stamp, role checks, the single event, and the error wrapping that puts a stable
 * code on the wire.
 */
import { Context, Contract } from 'fabric-contract-api';
import { X509Certificate } from 'node:crypto';
import {
  assertHoldsRole, formatIdentity, isOperatorSubject, isoTimestamp, type Caller, type GrantableRole, type Stamp,
} from '../domain';
import { ChaincodeError } from '../errors';
import type { ChaincodeEventName } from '../events';
import { Keys } from '../ledger/keys';
import { parseRoleRecord } from '../ledger/records';
import { canonicalBytes, canonicalJson } from '../ledger/serialize';
import { LedgerState } from '../ledger/state';

/** Name and version reported by `system:Ping`. */
export const CHAINCODE = { name: 'impact-ledger', version: '0.1.0' } as const;

/**
 * The subject of the caller's X.509 certificate, or undefined for a non-X.509 identity (which is
 * then simply not an operator).
 */
function certificateSubject(ctx: Context): string | undefined {
  try {
    return new X509Certificate(Buffer.from(ctx.clientIdentity.getIDBytes())).subject;
  } catch {
    return undefined;
  }
}

/** The caller of the transaction: identity string, MSP and operator flag (OU=admin). */
export function callerOf(ctx: Context): Caller {
  const mspId = ctx.clientIdentity.getMSPID();
  const subject = certificateSubject(ctx);
  return { identity: formatIdentity(mspId, ctx.clientIdentity.getID()), mspId, operator: subject !== undefined && isOperatorSubject(subject) };
}

/** The transaction timestamp (client-set, identical on every endorser) as an ISO string. */
export function txTimestamp(ctx: Context): string {
  const { seconds, nanos } = ctx.stub.getTxTimestamp();
  return isoTimestamp(Number(String(seconds)), nanos);
}

/** Actor, transaction id and time of this transaction. */
export function stampOf(ctx: Context, caller: Caller): Stamp {
  return { actor: caller.identity, txId: ctx.stub.getTxID(), timestamp: txTimestamp(ctx) };
}

/** Typed world-state access for this transaction. */
export function ledgerOf(ctx: Context): LedgerState {
  return new LedgerState(ctx.stub);
}

/** Refuses (FORBIDDEN_ROLE) a caller without an active grant of `role`. One key read. */
export async function requireRole(state: LedgerState, caller: Caller, role: GrantableRole): Promise<void> {
  assertHoldsRole(await state.get(Keys.role(caller.mspId, caller.identity, role), parseRoleRecord), caller, role);
}

/** Refuses a caller who holds none of `roles` (reads at most one key per role). */
export async function requireAnyRole(state: LedgerState, caller: Caller, roles: readonly GrantableRole[]): Promise<void> {
  for (const role of roles) {
    const record = await state.get(Keys.role(caller.mspId, caller.identity, role), parseRoleRecord);
    if (record?.active) return;
  }
  throw new ChaincodeError('FORBIDDEN_ROLE', `${caller.identity} holds none of the roles ${roles.join(', ')}`, { roles });
}

/** Emits the transaction's one chaincode event (Fabric keeps only the last `setEvent`). */
export function emit(ctx: Context, name: ChaincodeEventName, payload: Record<string, unknown>): void {
  ctx.stub.setEvent(name, canonicalBytes({ ...payload, txId: ctx.stub.getTxID() }));
}

/** The JSON (sorted keys) a transaction returns. */
export function respond(value: unknown): string {
  return canonicalJson(value);
}

/** Any thrown value as a ChaincodeError; anything unexpected becomes INTERNAL, without stack. */
export function asChaincodeError(error: unknown): ChaincodeError {
  if (error instanceof ChaincodeError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ChaincodeError('INTERNAL', `internal chaincode error: ${message}`);
}

/**
 * Base of the impact-ledger contracts: every failure leaves the chaincode as an Error whose
 * message is the wire form of a ChaincodeError, and unknown functions are refused by name.
 */
export abstract class ImpactContract extends Contract {
  /** Runs the transaction; rethrows any failure as `Error(chaincodeError.toWire())`. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- the signature fabric-contract-api declares
  override async aroundTransaction(ctx: Context, fn: Function, parameters: unknown): Promise<void> {
    try {
      return await super.aroundTransaction(ctx, fn, parameters);
    } catch (error) {
      throw new Error(asChaincodeError(error).toWire());
    }
  }

  /** Refuses a function this contract does not have, naming it (INVALID_ARGUMENT). */
  override async unknownTransaction(ctx: Context): Promise<void> {
    const { fcn } = ctx.stub.getFunctionAndParameters();
    const error = new ChaincodeError('INVALID_ARGUMENT', `${fcn} is not a transaction of contract ${this.getName()}`, { function: fcn });
    throw new Error(error.toWire());
  }
}
