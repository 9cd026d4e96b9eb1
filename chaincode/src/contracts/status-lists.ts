/**
 * Contract `statusLists`: issuers' W3C Bitstring Status List credentials, held on the ledger so
 * every endorsing peer checks a claim's status bits against the same lists (claims:Submit, see
 * credential.ts). Publishing is for operators (NodeOU admin) and holders of `status-publisher`;
 * the chaincode verifies the list's proof (eddsa-rdfc-2022, static loader, nothing fetched) and
 * applies `statusListAcceptance` (@impact-ledger/credentials) against the list held under the
 * same id and the trusted-issuer index, at the transaction timestamp.
 *
 * Publish reads: the caller's `status-publisher` role (non-operators only), the trusted-issuer
 * index entry of the list's issuer, the list held under its id: at most 3 point reads, no range
 * scan. It writes one key, the list record.
 */
import { createStaticDocumentLoader, isStatusListCredential, statusListAcceptance, statusListFactsOf, verifyStatusListCredential, type JsonObject } from '@impact-ledger/credentials';
import { Context, Info, Returns, Transaction } from 'fabric-contract-api';
import { MAX_STATUS_LIST_BYTES, text, type StatusListRecord } from '../domain';
import { ChaincodeError } from '../errors';
import { ChaincodeEvents } from '../events';
import { Keys } from '../ledger/keys';
import { parseStatusListRecord, parseTrustedIssuerRecord } from '../ledger/records';
import { callerOf, emit, ImpactContract, ledgerOf, requireRole, respond, stampOf } from './base';
import { Answers } from './metadata';

function parseList(listJson: string): JsonObject & { id: string } {
  const bytes = Buffer.byteLength(listJson, 'utf8');
  if (bytes > MAX_STATUS_LIST_BYTES) {
    throw new ChaincodeError('INVALID_STATUS_LIST', `the status list credential is ${bytes} bytes; at most ${MAX_STATUS_LIST_BYTES} are accepted`, { bytes, maxBytes: MAX_STATUS_LIST_BYTES });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(listJson) as unknown;
  } catch {
    throw new ChaincodeError('INVALID_STATUS_LIST', 'the status list credential is not JSON');
  }
  if (!isStatusListCredential(parsed)) throw new ChaincodeError('INVALID_STATUS_LIST', 'the status list credential is refused: it is not a BitstringStatusListCredential with an id');
  return parsed;
}

/** Contract `statusLists`. */
@Info({ title: 'statusLists', description: 'Issuers\' Bitstring Status List credentials, checked by every endorsing peer at claim submission' })
export class StatusListsContract extends ImpactContract {
  constructor() {
    super('statusLists');
  }

  /**
   * Publishes (or replaces with a newer one) an issuer's BitstringStatusListCredential. Refuses
   * FORBIDDEN_ROLE, INVALID_STATUS_LIST (not a list, proof does not verify), UNTRUSTED_ISSUER
   * (no registered protocol version trusts its issuer), STATUS_LIST_ISSUER_MISMATCH (the id is
   * another issuer's), STATUS_LIST_NOT_YET_VALID (post-dated beyond 5 minutes of the transaction
   * timestamp), STATUS_LIST_ROLLBACK (older than the list held). Returns the stored record.
   */
  @Transaction()
  @Returns(Answers.StatusListRecord)
  async Publish(ctx: Context, listJson: string): Promise<string> {
    const caller = callerOf(ctx);
    const state = ledgerOf(ctx);
    if (!caller.operator) await requireRole(state, caller, 'status-publisher');
    const list = parseList(listJson);
    const facts = statusListFactsOf(list);
    text(facts.id, 'id', 2048);
    if (facts.issuer !== '') text(facts.issuer, 'issuer', 512);
    const stamp = stampOf(ctx, caller);
    const now = new Date(stamp.timestamp);
    const trusted = facts.issuer === '' ? undefined : await state.get(Keys.trustedIssuer(facts.issuer), parseTrustedIssuerRecord);
    const key = Keys.statusList(facts.id);
    const held = await state.get(key, parseStatusListRecord);
    if (held !== undefined && held.id !== facts.id) throw new ChaincodeError('CORRUPT_STATE', `the status list under the key of ${facts.id} is ${held.id}`);
    const refusal = statusListAcceptance(facts, held, trusted === undefined ? [] : [trusted.issuer], now);
    if (refusal !== undefined) throw new ChaincodeError(refusal.code, refusal.message, { ...refusal.details });
    const loader = createStaticDocumentLoader({ issuerKeys: trusted?.issuerKey === undefined ? [] : [trusted.issuerKey] });
    const invalid = await verifyStatusListCredential(list, loader, now);
    if (invalid !== undefined) throw new ChaincodeError(invalid.code, invalid.message, { ...invalid.details });
    const record: StatusListRecord = { id: facts.id, issuer: facts.issuer, validFrom: facts.validFrom, credential: list, published: stamp };
    await state.put(key, record);
    emit(ctx, ChaincodeEvents.StatusListPublished, { statusListId: facts.id, issuer: facts.issuer, validFrom: facts.validFrom, replaced: held !== undefined });
    return respond(record);
  }

  /** The status list credential held under `id` (its URL); NOT_FOUND when none is. */
  @Transaction(false)
  @Returns('string')
  async Get(ctx: Context, id: string): Promise<string> {
    const listId = text(id, 'id', 2048);
    const record = await ledgerOf(ctx).require(Keys.statusList(listId), parseStatusListRecord, `status list ${listId}`);
    return respond(record.credential);
  }
}
