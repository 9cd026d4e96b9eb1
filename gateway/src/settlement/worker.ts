/**
 * The settlement worker: campaigns in automatic mode settle themselves. It follows the gateway's
 * event feed (fabric/event-feed.ts), and for each `ProofIssued` event offers the proof to the
 * open automatic campaigns of the funder it signs as (rules.ts), calling `campaigns:Settle` as
 * that funder: the chaincode judges eligibility and budget and refuses a second settlement of a
 * proof (ALREADY_SETTLED, per-proof marker), so the worker never needs to remember what it
 * settled.
 *
 * Durable and resumable: after each event is handled (settled, or refused for good) the worker
 * writes its checkpoint (block and index of the event) to `settlement-worker.json` in the data
 * dir (write to a temporary file, fsync, rename). A crash between a settlement's commit and the
 * checkpoint replays that event on restart: the chaincode answers ALREADY_SETTLED and the worker
 * moves on, so nothing is settled twice; events are handled strictly in order and the checkpoint
 * moves only past handled ones, so nothing is missed. A transient failure (MVCC conflict, peer or
 * orderer unavailable) retries the same event with backoff.
 *
 * Identity: the worker signs as one user of the organisation's wallet (config `settlementUser`),
 * the funder's service account. Under client-side signing (docs/trust-model.md) that account must
 * be one the operator declares custodial (`"custody": "gateway"` in the API keys file): the
 * gateway signs for it because its operator runs the funder's automation.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ChaincodeEvents } from '@impact-ledger/chaincode/events';
import type { Campaign } from '@impact-ledger/chaincode/facts';
import { everyRecord, type ImpactChaincode } from '../fabric/chaincode-client.js';
import type { EventFeed, FeedEvent, FeedReader } from '../fabric/event-feed.js';
import { campaignsFor, parseCheckpoint, refusalOutcome, type Checkpoint } from './rules.js';

/** What the worker did with one proof. */
export interface WorkerOutcome {
  readonly proofId: string;
  /** The campaign that settled it now, if any. */
  readonly campaignId?: string;
  /** `settled` now, `already` settled before, `skipped` by every campaign (or none offered). */
  readonly result: 'settled' | 'already' | 'skipped';
  readonly txId?: string;
}

/** Logging the worker needs. */
export interface WorkerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Options of the worker. */
export interface SettlementWorkerOptions {
  /** The chaincode as the worker's user (the funder's service account). */
  readonly chaincode: ImpactChaincode;
  readonly feed: EventFeed;
  readonly dataDir: string;
  readonly logger: WorkerLogger;
  /** Hears of each handled proof (metrics, tests). */
  readonly onOutcome?: (outcome: WorkerOutcome) => void;
  /** Between tries of an event the ledger could not answer (default 500 ms doubling up to 10 s). */
  readonly retryDelayMs?: number;
}

/** A running settlement worker. */
export interface SettlementWorker {
  /** The last handled event's position (undefined before the first). */
  checkpoint(): Checkpoint | undefined;
  /** Stops after the event in hand (its checkpoint is written only if it was handled). */
  close(): Promise<void>;
}

const FILE = 'settlement-worker.json';
/** Events after which the campaign list is read again. */
const CAMPAIGN_EVENTS = new Set<string>([ChaincodeEvents.CampaignOpened, ChaincodeEvents.CampaignClosed, ChaincodeEvents.CampaignBudgetChanged]);
const MAX_RETRY_MS = 10_000;

function errorCode(error: unknown): string | undefined {
  const code: unknown = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  return typeof code === 'string' ? code : undefined;
}

function proofIdOf(event: FeedEvent): string | undefined {
  const id: unknown = typeof event.payload === 'object' && event.payload !== null ? Reflect.get(event.payload, 'proofId') : undefined;
  return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) ? id : undefined;
}

/** Reads the checkpoint file of `dataDir` (undefined when there is none or it is unreadable). */
export function readCheckpoint(dataDir: string): Checkpoint | undefined {
  const file = path.join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  try {
    return parseCheckpoint(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

function writeCheckpoint(dataDir: string, checkpoint: Checkpoint): void {
  const file = path.join(dataDir, FILE);
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, JSON.stringify(checkpoint));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  const dir = openSync(dataDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

class Worker implements SettlementWorker {
  #checkpoint: Checkpoint | undefined;
  readonly #reader: FeedReader;
  #closed = false;
  readonly #done: Promise<void>;
  #funder: string | undefined;
  /** The funder's open automatic campaigns, until a campaign event says they changed. */
  #campaigns: Campaign[] | undefined;

  constructor(private readonly options: SettlementWorkerOptions) {
    this.#checkpoint = readCheckpoint(options.dataDir);
    this.#reader = options.feed.follow(this.#checkpoint ?? 'start');
    this.#done = this.#run();
  }

  checkpoint(): Checkpoint | undefined {
    return this.#checkpoint;
  }

  /** The events in order, one at a time: the checkpoint moves past an event once it is handled. */
  async #run(): Promise<void> {
    for await (const event of this.#reader) {
      if (this.#closed) return;
      const handled = await this.#handle(event);
      if (!handled) return; // closed while retrying: the checkpoint stays before this event
      this.#checkpoint = { block: event.block, index: event.index };
      writeCheckpoint(this.options.dataDir, this.#checkpoint);
    }
  }

  /** Handles one event until it is done; false when the worker was closed first. */
  async #handle(event: FeedEvent): Promise<boolean> {
    if (CAMPAIGN_EVENTS.has(event.name)) this.#campaigns = undefined; // read the list again at the next proof
    if (event.name !== ChaincodeEvents.ProofIssued) return true;
    const proofId = proofIdOf(event);
    if (proofId === undefined) {
      this.options.logger.warn({ event: event.id }, 'ProofIssued event without a proof id; skipped');
      return true;
    }
    let delay = this.options.retryDelayMs ?? 500;
    while (!this.#closed) {
      try {
        // not `onOutcome?.(await ...)`: an absent listener would skip evaluating its argument
        const outcome = await this.#settle(proofId);
        this.options.onOutcome?.(outcome);
        return true;
      } catch (error) {
        this.options.logger.warn({ proofId, event: event.id, code: errorCode(error), error: error instanceof Error ? error.message : String(error) }, 'settlement worker: the ledger did not answer; retrying this event');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
    return false;
  }

  /** Offers the proof to the campaigns in order; throws only for what deserves a retry. */
  async #settle(proofId: string): Promise<WorkerOutcome> {
    const chaincode = this.options.chaincode;
    this.#funder ??= (await chaincode.roles.whoAmI()).identity;
    // the campaign list is read once and again only after a campaign event passed in the feed
    // (events are handled in order): replaying history costs no ledger call while no automatic
    // campaign of the funder is open
    if (this.#campaigns === undefined) {
      const open: Campaign[] = [];
      for await (const c of everyRecord((pageSize, bookmark) => chaincode.campaigns.list(pageSize, bookmark))) {
        if (c.settlementMode === 'automatic' && c.status === 'open' && c.funder === this.#funder) open.push(c);
      }
      this.#campaigns = open;
    }
    if (this.#campaigns.length === 0) return { proofId, result: 'skipped' };
    const proof = await chaincode.proofs.get(proofId);
    const offered = campaignsFor(proof, this.#campaigns, this.#funder);
    for (const campaign of offered) {
      try {
        const settled = await chaincode.campaigns.settle(campaign.id, proofId);
        this.options.logger.info({ proofId, campaignId: campaign.id, txId: settled.txId, amount: settled.result.amount }, 'settlement worker settled a proof');
        return { proofId, campaignId: campaign.id, result: 'settled', txId: settled.txId };
      } catch (error) {
        const outcome = refusalOutcome(errorCode(error));
        if (outcome === 'settled') return { proofId, result: 'already' };
        if (outcome === 'retry') throw error;
        this.options.logger.info({ proofId, campaignId: campaign.id, code: errorCode(error), error: error instanceof Error ? error.message : String(error) }, 'settlement worker: the campaign did not take the proof');
      }
    }
    return { proofId, result: 'skipped' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reader.close();
    await this.#done;
  }
}

/** Starts the settlement worker from its checkpoint (from the start of the feed the first time). */
export function startSettlementWorker(options: SettlementWorkerOptions): SettlementWorker {
  return new Worker(options);
}
