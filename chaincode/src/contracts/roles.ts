/** Contract `roles`: operators grant and revoke roles to identities of their own MSP. */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import {
  assertCanManageRoles, grantRole, pageRequest, parseIdentity, parseMspId, parseRole, revokeRole, type GrantableRole,
} from '../domain';
import { ChaincodeEvents } from '../events';
import { Keys } from '../ledger/keys';
import { parseRoleRecord } from '../ledger/records';
import { callerOf, emit, ImpactContract, ledgerOf, respond, stampOf } from './base';

function target(identity: string, role: string): { identity: string; mspId: string; id: string; role: GrantableRole } {
  return { identity, ...parseIdentity(identity), role: parseRole(role) };
}

/** Grants or revokes one role, recording the change in the role's history; one event. */
async function changeRole(ctx: Context, identity: string, role: string, action: 'grant' | 'revoke'): Promise<string> {
  const caller = callerOf(ctx);
  const subject = target(identity, role);
  assertCanManageRoles(caller, subject);
  const state = ledgerOf(ctx);
  const key = Keys.role(subject.mspId, identity, subject.role);
  const existing = await state.get(key, parseRoleRecord);
  const stamp = stampOf(ctx, caller);
  const record = action === 'grant' ? grantRole(existing, subject, subject.role, stamp) : revokeRole(existing, identity, subject.role, stamp);
  await state.put(key, record);
  const event = action === 'grant' ? ChaincodeEvents.RoleGranted : ChaincodeEvents.RoleRevoked;
  emit(ctx, event, { identity, role: subject.role, actor: caller.identity });
  return respond(record);
}

/** Contract `roles`. */
@Info({ title: 'roles', description: 'Ledger-held roles: submitter, verifier, validator, funder, status-publisher' })
export class RolesContract extends ImpactContract {
  constructor() {
    super('roles');
  }

  /** The caller's identity string, MSP, operator flag and active roles (sorted). */
  @Transaction(false)
  @Returns(Answers.WhoAmI)
  async WhoAmI(ctx: Context): Promise<string> {
    const caller = callerOf(ctx);
    const grants = await ledgerOf(ctx).list(Keys.rolesOfIdentity(caller.mspId, caller.identity), parseRoleRecord);
    const roles = grants.filter((g) => g.value.active).map((g) => g.value.role).sort();
    return respond({ identity: caller.identity, mspId: caller.mspId, operator: caller.operator, roles });
  }

  /** Grants `role` to `identity` (operator of the identity's MSP only). Returns the role record. */
  @Transaction()
  @Returns(Answers.RoleRecord)
  async Grant(ctx: Context, identity: string, role: string): Promise<string> {
    return changeRole(ctx, identity, role, 'grant');
  }

  /** Revokes an active grant (operator of the identity's MSP only). Returns the role record. */
  @Transaction()
  @Returns(Answers.RoleRecord)
  async Revoke(ctx: Context, identity: string, role: string): Promise<string> {
    return changeRole(ctx, identity, role, 'revoke');
  }

  /** Active grants of one MSP, in key order. */
  @Transaction(false)
  @Returns(Answers.RolePage)
  async List(ctx: Context, mspId: string, pageSize: string, bookmark: string): Promise<string> {
    // a page may hold fewer active grants than pageSize (revoked ones are read and left out); follow the bookmark
    const page = await ledgerOf(ctx).page(Keys.rolesOfMsp(parseMspId(mspId)), pageRequest(pageSize, bookmark), parseRoleRecord);
    return respond({ ...page, records: page.records.map((g) => g.value).filter((r) => r.active) });
  }

  /** Every role record (active or not, with history) of one identity. */
  @Transaction(false)
  @Returns(Answers.RolePage)
  async History(ctx: Context, identity: string, pageSize: string, bookmark: string): Promise<string> {
    const { mspId } = parseIdentity(identity);
    const page = await ledgerOf(ctx).page(Keys.rolesOfIdentity(mspId, identity), pageRequest(pageSize, bookmark), parseRoleRecord);
    return respond({ ...page, records: page.records.map((r) => r.value) });
  }
}
