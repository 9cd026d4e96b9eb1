/**
 * Roles granted on the ledger by operators to identities of their own MSP, with history.
 */
import { ChaincodeError } from '../errors';
import { invalid } from './args';
import type { Caller, ParsedIdentity } from './identity';
import type { Stamp } from './stamp';

/**
 * The roles an operator grants; `operator` itself comes from the certificate, never a grant.
 * `status-publisher` lets a non-operator publish issuers' status lists through its gateway.
 */
export const GRANTABLE_ROLES = ['funder', 'status-publisher', 'submitter', 'validator', 'verifier'] as const;

/** A role granted on the ledger. */
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

/** One grant or revocation. */
export interface RoleChange extends Stamp {
  action: 'grant' | 'revoke';
}

/** The grant state of one role for one identity, with its append-only history. */
export interface RoleRecord {
  identity: string;
  mspId: string;
  role: GrantableRole;
  active: boolean;
  history: RoleChange[];
}

/** Parses a role name. */
export function parseRole(value: string): GrantableRole {
  if (!(GRANTABLE_ROLES as readonly string[]).includes(value)) {
    throw invalid('role', `must be one of ${GRANTABLE_ROLES.join(', ')}`);
  }
  return value as GrantableRole;
}

/** Refuses a caller who is not an operator (FORBIDDEN_ROLE) or manages another MSP (FOREIGN_MSP). */
export function assertCanManageRoles(caller: Caller, target: ParsedIdentity): void {
  if (!caller.operator) {
    throw new ChaincodeError('FORBIDDEN_ROLE', `${caller.identity} is not an operator (OU=admin) and cannot grant or revoke roles`);
  }
  if (caller.mspId !== target.mspId) {
    throw new ChaincodeError(
      'FOREIGN_MSP',
      `an operator of ${caller.mspId} can manage only identities of ${caller.mspId}, not of ${target.mspId}`,
      { operatorMsp: caller.mspId, targetMsp: target.mspId },
    );
  }
}

/** Grants `role` (re-granting an active role only adds to its history). */
export function grantRole(existing: RoleRecord | undefined, target: ParsedIdentity & { identity: string }, role: GrantableRole, stamp: Stamp): RoleRecord {
  const history = existing?.history ?? [];
  return { identity: target.identity, mspId: target.mspId, role, active: true, history: [...history, { action: 'grant', ...stamp }] };
}

/** Revokes an active grant; refuses (NOT_FOUND) when there is none. */
export function revokeRole(existing: RoleRecord | undefined, identity: string, role: GrantableRole, stamp: Stamp): RoleRecord {
  if (!existing?.active) {
    throw new ChaincodeError('NOT_FOUND', `${identity} holds no active ${role} grant to revoke`, { identity, role });
  }
  return { ...existing, active: false, history: [...existing.history, { action: 'revoke', ...stamp }] };
}

/** Refuses (FORBIDDEN_ROLE) unless `record` is an active grant of `role`. */
export function assertHoldsRole(record: RoleRecord | undefined, caller: Caller, role: GrantableRole): void {
  if (!record?.active) {
    throw new ChaincodeError('FORBIDDEN_ROLE', `${caller.identity} does not hold the ${role} role; ask an operator of ${caller.mspId} to grant it`, { role });
  }
}
