/**
 * The gateway's typed client of the chaincode: one method per transaction the gateway calls,
 * arguments typed (turned into Fabric's argument strings here, and only here), results parsed
 * with the chaincode's own record parsers (`@impact-ledger/chaincode/facts`) or checked against
 * the shape the gateway relies on. Transaction names come from the chaincode's one table
 * (`Transactions`), so a route never spells `contract:Function` itself.
 *
 * Underneath stays the `Ledger` (retries, idempotency recorder, transient data): a transport
 * binds it to one caller.
 */
import {
  ChaincodeError, parseCampaign, parseClaim, parseFlagRecord, parseProof, parseProtocolRecord, parseRoleRecord, parseSettlement, parseStatusListRecord, parseVerification,
  qualifiedName, type Campaign, type Claim, type ContractName, type FlagRecord, type AssetMove, type ProofOfImpact, type ProtocolRecord, type QualifiedTransaction,
  type RecordParser, type RoleRecord, type Settlement, type StatusListRecord, type TransactionOf, type Verification,
} from '@impact-ledger/chaincode/facts';
import { ApiError } from '../problem.js';
import type { Committed, Ledger, PreparedListener, TransientData } from './ledger.js';

/** How the client reaches the chaincode: evaluate and submit as one caller. */
export interface ChaincodeTransport {
  evaluate(fqfn: QualifiedTransaction, args: readonly string[]): Promise<unknown>;
  submit(fqfn: QualifiedTransaction, args: readonly string[], transient?: TransientData): Promise<Committed<unknown>>;
}

/** A page of records as the chaincode returns it (`bookmark` '' when absent). */
export interface ChaincodePage<T> {
  readonly records: T[];
  readonly bookmark: string;
  /** Records the peer read for the page (a filtered page, like active role grants, may hold fewer). */
  readonly fetchedRecordsCount?: number;
}

/**
 * Every record of a paged chaincode list, page by page (`pageSize` at a time): only one page is
 * in memory at once. Stops when the chaincode returns no bookmark or a page read nothing.
 */
export async function* everyRecord<T>(fetchPage: (pageSize: number, bookmark: string) => Promise<ChaincodePage<T>>, pageSize = 100): AsyncGenerator<T> {
  let bookmark = '';
  for (;;) {
    const page = await fetchPage(pageSize, bookmark);
    yield* page.records;
    const read = page.fetchedRecordsCount ?? page.records.length;
    if (page.bookmark === '' || page.bookmark === bookmark || read < pageSize) return;
    bookmark = page.bookmark;
  }
}

/** The caller's view of itself on the ledger (roles:WhoAmI). */
export interface WhoAmI {
  readonly identity: string;
  readonly mspId: string;
  readonly operator: boolean;
  readonly roles: string[];
}


/** One batch of a revocation cascade (revocation:Flag, Clear, ContinueCascade). */
export interface CascadeBatch {
  readonly flag: FlagRecord;
  readonly claims: string[];
  readonly proofs: string[];
}

/** The provenance of a proof (proofs:Provenance). */
export interface Provenance {
  readonly proof: ProofOfImpact;
  readonly ancestors: ProofOfImpact[];
  readonly validation: unknown;
  readonly verifications: Verification[];
  readonly claim: Claim;
  readonly protocol: ProtocolRecord;
  readonly flags?: FlagRecord[];
}

/** A campaign and its progress (campaigns:Progress). */
export interface CampaignProgress {
  readonly campaign: Campaign;
  readonly progress: Record<string, unknown>;
}

/** The totals answer (proofs:Totals). */
/** What one compaction folded (proofs:CompactTotals). */
export interface CompactedTotals {
  readonly pillar: string;
  readonly unit: string;
  readonly entriesFolded: number;
  readonly more: boolean;
}

export interface TotalsResult {
  readonly filter: Record<string, unknown>;
  readonly totals: unknown[];
}

/** The claims:List filter. */
export type ClaimFilter = { status?: string } | { protocolId: string; protocolVersion?: number } | Record<string, never>;

/** The public part of a claim submission (the credential travels as transient data). */
export interface ClaimSubmission {
  readonly protocolId: string;
  readonly protocolVersion: number;
  readonly proofLevel: string;
  readonly evidenceHashes?: readonly string[];
}

/** A proof's purchase price (proofs:Transfer). */
export interface Price {
  readonly amount: number;
  readonly currency: string;
}

/** The chaincode's transactions the gateway calls, typed. */
export interface ImpactChaincode {
  readonly roles: {
    whoAmI(): Promise<WhoAmI>;
    list(mspId: string, pageSize: number, bookmark: string): Promise<ChaincodePage<RoleRecord>>;
    history(identity: string, pageSize: number, bookmark: string): Promise<ChaincodePage<RoleRecord>>;
    grant(identity: string, role: string): Promise<Committed<RoleRecord>>;
    revoke(identity: string, role: string): Promise<Committed<RoleRecord>>;
  };
  readonly protocols: {
    get(id: string, version: number): Promise<ProtocolRecord>;
    listVersions(id: string, pageSize: number, bookmark: string): Promise<ChaincodePage<ProtocolRecord>>;
    list(pageSize: number, bookmark: string): Promise<ChaincodePage<ProtocolRecord>>;
    /** `definition` is the request body as the chaincode checks it (unknown fields refused there). */
    register(definition: object): Promise<Committed<ProtocolRecord>>;
    transition(id: string, version: number, to: 'Activate' | 'Suspend' | 'Retire'): Promise<Committed<ProtocolRecord>>;
  };
  readonly claims: {
    get(claimId: string): Promise<Claim>;
    getByCredentialHash(credentialHash: string): Promise<Claim>;
    verifications(claimId: string): Promise<Verification[]>;
    list(filter: ClaimFilter, pageSize: number, bookmark: string): Promise<ChaincodePage<Claim>>;
    /** The credential goes as transient data under `credentialKey`, seen by the endorsers only. */
    submit(submission: ClaimSubmission, credentialKey: string, credential: unknown): Promise<Committed<Claim>>;
    withdraw(claimId: string): Promise<Committed<Claim>>;
    verify(claimId: string, decision: 'approve' | 'reject', assessedQuantity: number, reportHash: string): Promise<Committed<Claim>>;
    validate(claimId: string, quantity: number): Promise<Committed<ProofOfImpact>>;
  };
  readonly proofs: {
    get(proofId: string): Promise<ProofOfImpact>;
    provenance(proofId: string): Promise<Provenance>;
    listByOwner(owner: string, pageSize: number, bookmark: string): Promise<ChaincodePage<ProofOfImpact>>;
    listByProtocol(protocolId: string, version: number, pageSize: number, bookmark: string): Promise<ChaincodePage<ProofOfImpact>>;
    listByStatus(status: string, pageSize: number, bookmark: string): Promise<ChaincodePage<ProofOfImpact>>;
    totals(filter: object): Promise<TotalsResult>;
    /** Folds up to `limit` totals deltas of one (pillar, unit) into snapshots (operators); `more` while deltas remain. */
    compactTotals(pillar: string, unit: string, limit: number | undefined): Promise<Committed<CompactedTotals>>;
    transfer(proofId: string, newOwner: string, quantity: number, price: Price | undefined): Promise<Committed<AssetMove>>;
    retire(proofId: string, quantity: number, beneficiary: string, purpose: string): Promise<Committed<AssetMove>>;
  };
  readonly campaigns: {
    get(id: string): Promise<Campaign>;
    list(pageSize: number, bookmark: string): Promise<ChaincodePage<Campaign>>;
    progress(id: string): Promise<CampaignProgress>;
    settlements(id: string, pageSize: number, bookmark: string): Promise<ChaincodePage<Settlement>>;
    /** The settlements whose activity started in `month` (YYYY-MM), in the CSV export's row order. */
    exportRows(id: string, month: string, pageSize: number, bookmark: string): Promise<ChaincodePage<Settlement>>;
    settlementOf(proofId: string): Promise<Settlement>;
    open(definition: object): Promise<Committed<Campaign>>;
    setBudget(id: string, budget: number): Promise<Committed<Campaign>>;
    close(id: string): Promise<Committed<Campaign>>;
    settle(id: string, proofId: string): Promise<Committed<Settlement>>;
  };
  readonly revocation: {
    get(flagId: string): Promise<FlagRecord>;
    flag(kind: 'credential' | 'issuer', subject: string, reason: string): Promise<Committed<CascadeBatch>>;
    clear(flagId: string): Promise<Committed<CascadeBatch>>;
    continueCascade(flagId: string): Promise<Committed<CascadeBatch>>;
  };
  readonly statusLists: {
    /** Publishes a Bitstring Status List credential (the chaincode judges it); the stored record. */
    publish(listCredential: Record<string, unknown>): Promise<Committed<StatusListRecord>>;
    /** The status list credential held under `id` (its URL). */
    get(id: string): Promise<Record<string, unknown>>;
  };
}

/** A malformed chaincode answer: the gateway cannot read it (502, as a malformed page always was). */
function malformed(fqfn: string, reason: string, cause?: unknown): ApiError {
  return new ApiError(502, 'FABRIC_ERROR', `${fqfn} returned a result the gateway cannot read: ${reason}`, {}, cause === undefined ? undefined : { cause });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** Runs a chaincode record parser on a result; its CORRUPT_STATE refusal becomes a 502 naming the transaction. */
function parsed<T>(fqfn: string, parser: RecordParser<T>, value: unknown): T {
  try {
    return parser(value);
  } catch (error) {
    if (error instanceof ChaincodeError) throw malformed(fqfn, error.message, error);
    throw error;
  }
}

function listOf<T>(fqfn: string, parser: RecordParser<T>, value: unknown): T[] {
  if (!Array.isArray(value)) throw malformed(fqfn, 'not a JSON array');
  return value.map((item) => parsed(fqfn, parser, item));
}

function pageOf<T>(fqfn: string, parser: RecordParser<T>, value: unknown): ChaincodePage<T> {
  if (!isObject(value) || !Array.isArray(value.records)) throw malformed(fqfn, 'not a page of records');
  const bookmark = typeof value.bookmark === 'string' ? value.bookmark : '';
  return { ...value, records: listOf(fqfn, parser, value.records), bookmark };
}

/** A parser of an object whose named fields pass their checks (other fields kept as they are). */
function shaped<T>(what: string, checks: Readonly<Record<string, (field: unknown) => boolean>>): RecordParser<T> {
  return (value: unknown): T => {
    if (!isObject(value)) throw new ChaincodeError('CORRUPT_STATE', `a ${what} is not a JSON object`);
    for (const [name, check] of Object.entries(checks)) {
      if (!check(value[name])) throw new ChaincodeError('CORRUPT_STATE', `a ${what} has a malformed ${name}`);
    }
    return value as T;
  };
}

const isOptional = (check: (field: unknown) => boolean) => (field: unknown): boolean => field === undefined || check(field);
const validRecord = <T>(parser: RecordParser<T>) => (field: unknown): boolean => {
  try {
    parser(field);
    return true;
  } catch {
    return false;
  }
};
const validList = <T>(parser: RecordParser<T>) => (field: unknown): boolean => Array.isArray(field) && field.every(validRecord(parser));

const parseWhoAmI = shaped<WhoAmI>('roles:WhoAmI answer', {
  identity: (f) => typeof f === 'string', mspId: (f) => typeof f === 'string', operator: (f) => typeof f === 'boolean', roles: isStringArray,
});
const parseMove = shaped<AssetMove>('proof move', {
  moved: validRecord(parseProof), remainder: isOptional(validRecord(parseProof)), parent: isOptional(validRecord(parseProof)),
});
const parseBatch = shaped<CascadeBatch>('cascade batch', { flag: validRecord(parseFlagRecord), claims: isStringArray, proofs: isStringArray });
const parseProvenance = shaped<Provenance>('provenance', {
  proof: validRecord(parseProof), ancestors: validList(parseProof), verifications: validList(parseVerification),
  claim: validRecord(parseClaim), protocol: validRecord(parseProtocolRecord), flags: isOptional(validList(parseFlagRecord)),
});
const parseProgress = shaped<CampaignProgress>('campaign progress', { campaign: validRecord(parseCampaign), progress: isObject });
const parseTotals = shaped<TotalsResult>('totals', { filter: isObject, totals: Array.isArray });
const parseCompacted = shaped<CompactedTotals>('compacted totals', { entriesFolded: (f) => Number.isSafeInteger(f), more: (f) => typeof f === 'boolean' });
const parseStatusListCredential = shaped<Record<string, unknown>>('status list credential', { id: (f) => typeof f === 'string', credentialSubject: isObject });

/** The typed chaincode over `transport`. */
export function chaincodeClient(transport: ChaincodeTransport): ImpactChaincode {
  const read = async <C extends ContractName, T>(contract: C, fn: TransactionOf<C>, parse: (fqfn: string, value: unknown) => T, args: readonly string[]): Promise<T> => {
    const fqfn = qualifiedName(contract, fn);
    return parse(fqfn, await transport.evaluate(fqfn, args));
  };
  const write = async <C extends ContractName, T>(contract: C, fn: TransactionOf<C>, parser: RecordParser<T>, args: readonly string[], transient?: TransientData): Promise<Committed<T>> => {
    const fqfn = qualifiedName(contract, fn);
    const committed = await transport.submit(fqfn, args, transient);
    return { ...committed, result: parsed(fqfn, parser, committed.result) };
  };
  const one = <T>(parser: RecordParser<T>) => (fqfn: string, value: unknown): T => parsed(fqfn, parser, value);
  const many = <T>(parser: RecordParser<T>) => (fqfn: string, value: unknown): T[] => listOf(fqfn, parser, value);
  const page = <T>(parser: RecordParser<T>) => (fqfn: string, value: unknown): ChaincodePage<T> => pageOf(fqfn, parser, value);
  return {
    roles: {
      whoAmI: () => read('roles', 'WhoAmI', one(parseWhoAmI), []),
      list: (mspId, pageSize, bookmark) => read('roles', 'List', page(parseRoleRecord), [mspId, String(pageSize), bookmark]),
      history: (identity, pageSize, bookmark) => read('roles', 'History', page(parseRoleRecord), [identity, String(pageSize), bookmark]),
      grant: (identity, role) => write('roles', 'Grant', parseRoleRecord, [identity, role]),
      revoke: (identity, role) => write('roles', 'Revoke', parseRoleRecord, [identity, role]),
    },
    protocols: {
      get: (id, version) => read('protocols', 'Get', one(parseProtocolRecord), [id, String(version)]),
      listVersions: (id, pageSize, bookmark) => read('protocols', 'ListVersions', page(parseProtocolRecord), [id, String(pageSize), bookmark]),
      list: (pageSize, bookmark) => read('protocols', 'List', page(parseProtocolRecord), [String(pageSize), bookmark]),
      register: (definition) => write('protocols', 'Register', parseProtocolRecord, [JSON.stringify(definition)]),
      transition: (id, version, to) => write('protocols', to, parseProtocolRecord, [id, String(version)]),
    },
    claims: {
      get: (claimId) => read('claims', 'Get', one(parseClaim), [claimId]),
      getByCredentialHash: (credentialHash) => read('claims', 'GetByCredentialHash', one(parseClaim), [credentialHash]),
      verifications: (claimId) => read('claims', 'Verifications', many(parseVerification), [claimId]),
      list: (filter, pageSize, bookmark) => read('claims', 'List', page(parseClaim), [JSON.stringify(filter), String(pageSize), bookmark]),
      submit: (submission, credentialKey, credential) => write('claims', 'Submit', parseClaim, [JSON.stringify(submission)], {
        [credentialKey]: Buffer.from(JSON.stringify(credential), 'utf8'),
      }),
      withdraw: (claimId) => write('claims', 'Withdraw', parseClaim, [claimId]),
      verify: (claimId, decision, assessedQuantity, reportHash) => write('claims', 'Verify', parseClaim, [claimId, decision, String(assessedQuantity), reportHash]),
      validate: (claimId, quantity) => write('claims', 'Validate', parseProof, [claimId, String(quantity)]),
    },
    proofs: {
      get: (proofId) => read('proofs', 'Get', one(parseProof), [proofId]),
      provenance: (proofId) => read('proofs', 'Provenance', one(parseProvenance), [proofId]),
      listByOwner: (owner, pageSize, bookmark) => read('proofs', 'ListByOwner', page(parseProof), [owner, String(pageSize), bookmark]),
      listByProtocol: (protocolId, version, pageSize, bookmark) => read('proofs', 'ListByProtocol', page(parseProof), [protocolId, String(version), String(pageSize), bookmark]),
      listByStatus: (status, pageSize, bookmark) => read('proofs', 'ListByStatus', page(parseProof), [status, String(pageSize), bookmark]),
      totals: (filter) => read('proofs', 'Totals', one(parseTotals), [JSON.stringify(filter)]),
      compactTotals: (pillar, unit, limit) => write('proofs', 'CompactTotals', parseCompacted, [pillar, unit, limit === undefined ? '' : String(limit)]),
      transfer: (proofId, newOwner, quantity, price) => write('proofs', 'Transfer', parseMove, [proofId, newOwner, String(quantity), price === undefined ? '' : JSON.stringify(price)]),
      retire: (proofId, quantity, beneficiary, purpose) => write('proofs', 'Retire', parseMove, [proofId, String(quantity), beneficiary, purpose]),
    },
    campaigns: {
      get: (id) => read('campaigns', 'Get', one(parseCampaign), [id]),
      list: (pageSize, bookmark) => read('campaigns', 'List', page(parseCampaign), [String(pageSize), bookmark]),
      progress: (id) => read('campaigns', 'Progress', one(parseProgress), [id]),
      settlements: (id, pageSize, bookmark) => read('campaigns', 'Settlements', page(parseSettlement), [id, String(pageSize), bookmark]),
      exportRows: (id, month, pageSize, bookmark) => read('campaigns', 'ExportRows', page(parseSettlement), [id, month, String(pageSize), bookmark]),
      settlementOf: (proofId) => read('campaigns', 'SettlementOf', one(parseSettlement), [proofId]),
      open: (definition) => write('campaigns', 'Open', parseCampaign, [JSON.stringify(definition)]),
      setBudget: (id, budget) => write('campaigns', 'SetBudget', parseCampaign, [id, String(budget)]),
      close: (id) => write('campaigns', 'Close', parseCampaign, [id]),
      settle: (id, proofId) => write('campaigns', 'Settle', parseSettlement, [id, proofId]),
    },
    revocation: {
      get: (flagId) => read('revocation', 'Get', one(parseFlagRecord), [flagId]),
      flag: (kind, subject, reason) => write('revocation', 'Flag', parseBatch, [kind, subject, reason]),
      clear: (flagId) => write('revocation', 'Clear', parseBatch, [flagId]),
      continueCascade: (flagId) => write('revocation', 'ContinueCascade', parseBatch, [flagId]),
    },
    statusLists: {
      publish: (listCredential) => write('statusLists', 'Publish', parseStatusListRecord, [JSON.stringify(listCredential)]),
      get: (id) => read('statusLists', 'Get', one(parseStatusListCredential), [id]),
    },
  };
}

/** The transport of `ledger` as `user`; `onPrepared` hears of each endorsed transaction (the idempotency journal). */
export function ledgerTransport(ledger: Ledger, user: string, onPrepared?: PreparedListener): ChaincodeTransport {
  return {
    evaluate: (fqfn, args) => ledger.evaluate(user, fqfn, args),
    submit: (fqfn, args, transient) => ledger.submit(user, fqfn, args, onPrepared, transient),
  };
}
