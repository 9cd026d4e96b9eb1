/**
 * Calls the impact-ledger chaincode through fabric-gateway and decodes its typed errors.
 */
import type { Contract, GatewayError } from '@hyperledger/fabric-gateway';
import { ChaincodeError } from '@impact-ledger/chaincode/errors';
import { expect } from 'chai';
import { currentNetwork, waitForBlockEverywhere, type Actor } from './network';

const utf8 = new TextDecoder();

export interface Committed<T> { result: T; txId: string; blockNumber: bigint }

function contractAndFn(actor: Actor, fqfn: string): { contract: Contract; fn: string } {
  const [name, fn] = fqfn.split(':');
  if (!name || !fn) throw new Error(`expected contract:function, got ${fqfn}`);
  return { contract: actor.contract(name), fn };
}

function parse<T>(bytes: Uint8Array): T {
  const text = utf8.decode(bytes);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Adds each peer's own message to a gateway error's message, so a failure says what happened. */
function withPeerDetails(err: unknown, fqfn: string): unknown {
  if (isGatewayError(err) && err.details.length > 0) {
    err.message += ` [${fqfn}: ${err.details.map((d) => `${d.mspId}@${d.address}: ${d.message}`).join('; ')}]`;
  }
  return err;
}

/** Endorses, orders and waits for the commit of one transaction; throws if it did not commit. */
export async function submit<T = unknown>(actor: Actor, fqfn: string, ...args: string[]): Promise<Committed<T>> {
  const { contract, fn } = contractAndFn(actor, fqfn);
  const submitted = await contract.submitAsync(fn, { arguments: args }).catch((err: unknown) => {
    throw withPeerDetails(err, fqfn);
  });
  const status = await submitted.getStatus();
  if (!status.successful) {
    throw new Error(`transaction ${status.transactionId} failed to commit with code ${status.code}`);
  }
  await waitForBlockEverywhere(currentNetwork(), status.blockNumber);
  return { result: parse<T>(submitted.getResult()), txId: status.transactionId, blockNumber: status.blockNumber };
}

/** Options of {@link submitWith}. */
export interface SubmitOptions {
  /** Proposal transient data (seen by the endorsing peers only). */
  readonly transient?: Readonly<Record<string, string | Uint8Array>>;
  /** Endorse on these organisations' peers only (fabric-gateway's endorsingOrganizations). */
  readonly endorsingOrganizations?: readonly string[];
}

/** Like {@link submit}, with transient data and, optionally, the organisations that endorse. */
export async function submitWith<T = unknown>(actor: Actor, fqfn: string, args: readonly string[], options: SubmitOptions): Promise<Committed<T>> {
  const { contract, fn } = contractAndFn(actor, fqfn);
  const proposal = contract.newProposal(fn, {
    arguments: [...args],
    ...(options.transient ? { transientData: options.transient } : {}),
    ...(options.endorsingOrganizations ? { endorsingOrganizations: [...options.endorsingOrganizations] } : {}),
  });
  const transaction = await proposal.endorse().catch((err: unknown) => { throw withPeerDetails(err, fqfn); });
  const submitted = await transaction.submit().catch((err: unknown) => { throw withPeerDetails(err, fqfn); });
  const status = await submitted.getStatus();
  if (!status.successful) {
    throw new CommitFailure(status.transactionId, status.code);
  }
  await waitForBlockEverywhere(currentNetwork(), status.blockNumber);
  return { result: parse<T>(submitted.getResult()), txId: status.transactionId, blockNumber: status.blockNumber };
}

/** A transaction that was ordered but not committed as valid (its validation code). */
export class CommitFailure extends Error {
  constructor(readonly txId: string, readonly code: number) {
    super(`transaction ${txId} failed to commit with code ${code}`);
  }
}

/** Evaluates (queries) one transaction on a peer. */
export async function evaluate<T = unknown>(actor: Actor, fqfn: string, ...args: string[]): Promise<T> {
  const { contract, fn } = contractAndFn(actor, fqfn);
  return parse<T>(await contract.evaluate(fn, { arguments: args }));
}

function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof Error && 'details' in err && Array.isArray((err as GatewayError).details);
}

/** The chaincode's typed error inside a gateway error (endorsement or evaluation), if any. */
export function chaincodeErrorOf(err: unknown): ChaincodeError | undefined {
  if (isGatewayError(err)) {
    for (const detail of err.details) {
      const decoded = ChaincodeError.fromWire(detail.message);
      if (decoded) return decoded;
    }
  }
  return err instanceof Error ? ChaincodeError.fromWire(err.message) : undefined;
}

/** Asserts that `action` is refused by the chaincode with `code`; returns the decoded error. */
export async function expectRefusal(action: Promise<unknown>, code: string): Promise<ChaincodeError> {
  try {
    await action;
  } catch (err) {
    const decoded = chaincodeErrorOf(err);
    expect(decoded, `expected chaincode error ${code}, got: ${String(err)}`).to.not.equal(undefined);
    expect(decoded?.code).to.equal(code);
    return decoded as ChaincodeError;
  }
  expect.fail(`expected the chaincode to refuse with ${code}, but it succeeded`);
}
