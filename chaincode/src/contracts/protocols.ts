/** Contract `protocols`: registration and lifecycle of versioned, immutable protocols. */
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { Answers } from './metadata';
import {
  assertMayAddVersion, assertOperator, assertOwnerOperator, integerArgument, newProtocolDefinition, pageRequest, parseJsonArgument,
  registerProtocol, slug, transitionProtocol, type ProtocolStatus,
  clearFlag, flagIdOf, protocolSubject, raiseFlag, trustedIssuerRecords, type ProtocolRecord, type Stamp,
} from '../domain';
import { ChaincodeError } from '../errors';
import { ChaincodeEvents, type ChaincodeEventName } from '../events';
import { Keys } from '../ledger/keys';
import { parseFlagRecord, parseProtocolRecord } from '../ledger/records';
import type { LedgerState } from '../ledger/state';
import { callerOf, emit, ImpactContract, ledgerOf, respond, stampOf } from './base';

const EVENT_OF: Readonly<Record<Exclude<ProtocolStatus, 'draft'>, ChaincodeEventName>> = {
  active: ChaincodeEvents.ProtocolActivated,
  suspended: ChaincodeEvents.ProtocolSuspended,
  retired: ChaincodeEvents.ProtocolRetired,
};

/**
 * Suspension raises the protocol version's revocation flag, re-activation clears it; the cascade
 * to its claims and proofs runs in `revocation:ContinueCascade` batches. The flag id, if any.
 */
async function flagSuspension(state: LedgerState, from: ProtocolStatus, next: ProtocolRecord, stamp: Stamp): Promise<string | undefined> {
  const subject = protocolSubject(next.id, next.version);
  const key = Keys.flag(flagIdOf('protocol', subject));
  const existing = await state.get(key, parseFlagRecord);
  if (next.status === 'suspended') {
    const flag = raiseFlag(existing?.active ? undefined : existing, 'protocol', subject, `protocol ${subject} suspended by ${stamp.actor}`, stamp);
    await state.put(key, flag);
    return flag.id;
  }
  if (from === 'suspended' && next.status === 'active' && existing?.active) {
    await state.put(key, clearFlag(existing, stamp));
    return existing.id;
  }
  return undefined;
}

async function transition(ctx: Context, id: string, version: string, to: Exclude<ProtocolStatus, 'draft'>): Promise<string> {
  const caller = callerOf(ctx);
  const state = ledgerOf(ctx);
  const key = Keys.protocol(slug(id, 'id'), integerArgument(version, 'version', 1));
  const protocol = await state.require(key, parseProtocolRecord, `protocol ${id} v${version}`);
  assertOwnerOperator(caller, protocol);
  const stamp = stampOf(ctx, caller);
  const next = transitionProtocol(protocol, to, stamp);
  await state.put(key, next);
  const flagId = await flagSuspension(state, protocol.status, next, stamp);
  emit(ctx, EVENT_OF[to], { protocolId: next.id, protocolVersion: next.version, status: next.status, ...(flagId ? { flagId } : {}) });
  return respond(next);
}

/** Contract `protocols`. */
@Info({ title: 'protocols', description: 'Versioned impact protocols: draft -> active <-> suspended -> retired' })
export class ProtocolsContract extends ImpactContract {
  constructor() {
    super('protocols');
  }

  /**
   * Registers a new protocol version as `draft`, owned by the operator's MSP; also writes the
   * trusted-issuer index entry (il.issuer~trusted) of each of its trusted issuers.
   */
  @Transaction()
  @Returns(Answers.ProtocolRecord)
  async Register(ctx: Context, protocolJson: string): Promise<string> {
    const caller = callerOf(ctx);
    assertOperator(caller, 'register protocols');
    const definition = newProtocolDefinition(parseJsonArgument(protocolJson, 'protocol'));
    const state = ledgerOf(ctx);
    const key = Keys.protocol(definition.id, definition.version);
    if (await state.exists(key)) {
      throw new ChaincodeError('ALREADY_EXISTS', `protocol ${definition.id} v${definition.version} exists; register a new version instead`, {
        protocolId: definition.id,
        protocolVersion: definition.version,
      });
    }
    assertMayAddVersion(definition, (await state.list(Keys.protocolVersions(definition.id), parseProtocolRecord)).map((v) => v.value), caller);
    const record = registerProtocol(definition, caller, stampOf(ctx, caller));
    await state.put(key, record);
    // the trusted-issuer index statusLists:Publish reads (blind writes: the latest version wins)
    for (const entry of trustedIssuerRecords(record)) await state.put(Keys.trustedIssuer(entry.issuer), entry);
    emit(ctx, ChaincodeEvents.ProtocolRegistered, { protocolId: record.id, protocolVersion: record.version, ownerMsp: record.ownerMsp });
    return respond(record);
  }

  /** draft|suspended -> active. */
  @Transaction()
  @Returns(Answers.ProtocolRecord)
  async Activate(ctx: Context, id: string, version: string): Promise<string> {
    return transition(ctx, id, version, 'active');
  }

  /** active -> suspended. */
  @Transaction()
  @Returns(Answers.ProtocolRecord)
  async Suspend(ctx: Context, id: string, version: string): Promise<string> {
    return transition(ctx, id, version, 'suspended');
  }

  /** draft|active|suspended -> retired (final). */
  @Transaction()
  @Returns(Answers.ProtocolRecord)
  async Retire(ctx: Context, id: string, version: string): Promise<string> {
    return transition(ctx, id, version, 'retired');
  }

  /** One protocol version. */
  @Transaction(false)
  @Returns(Answers.ProtocolRecord)
  async Get(ctx: Context, id: string, version: string): Promise<string> {
    const key = Keys.protocol(slug(id, 'id'), integerArgument(version, 'version', 1));
    return respond(await ledgerOf(ctx).require(key, parseProtocolRecord, `protocol ${id} v${version}`));
  }

  /** Every version of a protocol, oldest first. */
  @Transaction(false)
  @Returns(Answers.ProtocolPage)
  async ListVersions(ctx: Context, id: string, pageSize: string, bookmark: string): Promise<string> {
    const page = await ledgerOf(ctx).page(Keys.protocolVersions(slug(id, 'id')), pageRequest(pageSize, bookmark), parseProtocolRecord);
    return respond({ ...page, records: page.records.map((v) => v.value) });
  }

  /** A page of all protocols: `{records, bookmark, fetchedRecordsCount}`. */
  @Transaction(false)
  @Returns(Answers.ProtocolPage)
  async List(ctx: Context, pageSize: string, bookmark: string): Promise<string> {
    const page = await ledgerOf(ctx).page(Keys.allProtocols(), pageRequest(pageSize, bookmark), parseProtocolRecord);
    return respond({ ...page, records: page.records.map((r) => r.value) });
  }
}
