/**
 * The chaincode transport of a caller that signs itself. Reads run as the organisation's Admin
 * (operator) identity, except roles:WhoAmI, answered for the caller's certificate. Each write is
 * a Fabric transaction with the caller's certificate as creator, built on an offline (signer-less)
 * fabric-gateway `Gateway`: the proposal and the transaction each wait for the caller's signature
 * (through the request's signing session); the commit status is a read, asked as the Admin
 * (`Ledger.commitStatus`). An MVCC/phantom conflict starts a fresh transaction (a new proposal to
 * sign), up to `maxSubmitAttempts`.
 */
import fabricProtos from '@hyperledger/fabric-protos';
import { parseRoleRecord, qualifiedName } from '@impact-ledger/chaincode/facts';
import { everyRecord, type ChaincodePage, type ChaincodeTransport } from '../fabric/chaincode-client.js';
import { isTransientPlanningError, toApiError } from '../fabric/errors.js';
import { parseResult, RETRIED_CODES, type Committed, type Ledger, type PreparedListener, type TransientData } from '../fabric/ledger.js';
import { ApiError } from '../problem.js';
import type { ClientSigner } from './custody.js';
import type { StepSink } from './sessions.js';

const { gateway: gatewayProtos } = fabricProtos;

const WHO_AM_I = qualifiedName('roles', 'WhoAmI');
const ROLES_LIST = qualifiedName('roles', 'List');

/** Transactions a gateway never signs for anyone: their signer must be the verifier or validator itself. */
export const CLIENT_SIGNED_ONLY: ReadonlySet<string> = new Set([qualifiedName('claims', 'Verify'), qualifiedName('claims', 'Validate')]);

/** Refuses (403 CLIENT_SIGNATURE_REQUIRED) a custodial submission of a transaction only its client may sign. */
export function assertCustodialAllowed(fqfn: string): void {
  if (CLIENT_SIGNED_ONLY.has(fqfn)) {
    throw new ApiError(403, 'CLIENT_SIGNATURE_REQUIRED', `${fqfn} is signed by the verifier or validator itself, never by a gateway: send it with a client-signing API key and sign the steps (docs/api.md)`);
  }
}

/** What the transport needs. */
export interface SigningTransportOptions {
  readonly ledger: Ledger;
  readonly signer: ClientSigner;
  /** The organisation's Admin, the identity reads run as. */
  readonly readAs: string;
  readonly maxSubmitAttempts: number;
  /** The signing session of the running request (undefined outside a mutation). */
  readonly sink: () => StepSink | undefined;
  /** Hears of each signed transaction before it is sent (the idempotency journal). */
  readonly onPrepared?: PreparedListener;
}

function splitName(fqfn: string): { contract: string; fn: string } {
  const [contract, fn] = fqfn.split(':');
  if (contract === undefined || fn === undefined) throw new Error(`expected contract:function, got ${fqfn}`);
  return { contract, fn };
}

/** The bytes Fabric hashes for each step (not the fabric-gateway wrapper `getBytes()`). */
export const stepMessage = {
  proposal: (bytes: Uint8Array): Uint8Array => {
    const proposal = gatewayProtos.ProposedTransaction.deserializeBinary(bytes).getProposal();
    if (proposal === undefined) throw new Error('a proposed transaction without a proposal');
    return proposal.getProposalBytes_asU8();
  },
  transaction: (bytes: Uint8Array): Uint8Array => {
    const envelope = gatewayProtos.PreparedTransaction.deserializeBinary(bytes).getEnvelope();
    if (envelope === undefined) throw new Error('a prepared transaction without an envelope');
    return envelope.getPayload_asU8();
  },
};

/** A page of roles:List as the peer answers it. */
function parseRolePage(value: unknown): ChaincodePage<unknown> {
  if (typeof value !== 'object' || value === null || !('records' in value) || !Array.isArray(value.records)) {
    throw new ApiError(502, 'FABRIC_ERROR', 'roles:List answered something other than a page of records');
  }
  const bookmark = 'bookmark' in value && typeof value.bookmark === 'string' ? value.bookmark : '';
  const fetched = 'fetchedRecordsCount' in value && typeof value.fetchedRecordsCount === 'number' ? value.fetchedRecordsCount : undefined;
  return { records: value.records, bookmark, ...(fetched === undefined ? {} : { fetchedRecordsCount: fetched }) };
}

/** The client-signing transport of one caller. */
export function signingTransport(options: SigningTransportOptions): ChaincodeTransport {
  const { ledger, signer } = options;
  const whoAmI = async (): Promise<unknown> => {
    // the active grants of the caller's MSP, page by page (roles:List is paginated)
    const grants = everyRecord(async (pageSize, bookmark) => parseRolePage(await ledger.evaluate(options.readAs, ROLES_LIST, [signer.mspId, String(pageSize), bookmark])));
    const roles: string[] = [];
    for await (const grant of grants) {
      const record = parseRoleRecord(grant);
      if (record.identity === signer.identity && record.active) roles.push(record.role);
    }
    roles.sort();
    return { identity: signer.identity, mspId: signer.mspId, operator: signer.operator, roles };
  };

  /** One transaction, signed step by step: committed, or undefined when it lost a read conflict. */
  const once = async (sink: StepSink, fqfn: string, args: readonly string[], transient?: TransientData): Promise<Committed<unknown> | undefined> => {
    const { contract, fn } = splitName(fqfn);
    if (ledger.offlineGateway === undefined || ledger.commitStatus === undefined) throw new ApiError(500, 'INTERNAL', 'this ledger cannot build client-signed transactions');
    const gateway = ledger.offlineGateway({ mspId: signer.mspId, credentials: Buffer.from(signer.certificatePem) });
    const unsigned = gateway.getNetwork(ledger.channel).getContract(ledger.chaincode, contract)
      .newProposal(fn, { arguments: [...args], ...(transient === undefined ? {} : { transientData: transient }) });
    const transactionId = unsigned.getTransactionId();
    const step = { transactionId, transaction: fqfn };
    const proposalBytes = unsigned.getBytes();
    const proposalSignature = await sink.sign({ ...step, step: 'proposal', message: stepMessage.proposal(proposalBytes) });
    const endorsed = await gateway.newSignedProposal(proposalBytes, proposalSignature).endorse();
    const transactionBytes = endorsed.getBytes();
    const transactionSignature = await sink.sign({ ...step, step: 'transaction', message: stepMessage.transaction(transactionBytes) });
    const signed = gateway.newSignedTransaction(transactionBytes, transactionSignature);
    await options.onPrepared?.({ txId: transactionId, transaction: Buffer.from(signed.getBytes()).toString('base64') });
    const submitted = await signed.submit();
    const status = await ledger.commitStatus(transactionId);
    if (status.successful) return { result: parseResult(submitted.getResult()), txId: transactionId, blockNumber: Number(status.blockNumber) };
    if (RETRIED_CODES.has(status.code)) return undefined;
    throw new ApiError(409, 'TRANSACTION_INVALID', `transaction ${transactionId} was not committed (validation code ${status.code}); retry the request`, { txId: transactionId });
  };

  return {
    evaluate: (fqfn, args) => (fqfn === WHO_AM_I ? whoAmI() : ledger.evaluate(options.readAs, fqfn, args)),
    async submit(fqfn, args, transient) {
      const sink = options.sink();
      if (sink === undefined) throw new ApiError(500, 'INTERNAL', `${fqfn} was submitted outside a mutation; a client-signed transaction needs a signing session`);
      const attempts = options.maxSubmitAttempts;
      for (let attempt = 1; ; attempt++) {
        let committed: Committed<unknown> | undefined;
        try {
          committed = await once(sink, fqfn, args, transient);
        } catch (error) {
          if (error instanceof ApiError) throw error;
          if (attempt < attempts && isTransientPlanningError(error)) continue;
          throw toApiError(error, fqfn);
        }
        if (committed !== undefined) return committed;
        if (attempt >= attempts) throw new ApiError(409, 'MVCC_CONFLICT', `${fqfn} conflicted with concurrent transactions ${attempts} times; retry the request`);
      }
    },
  };
}

/** A custodial caller's transport: as `transport`, refusing the transactions only a client may sign. */
export function custodialTransport(transport: ChaincodeTransport): ChaincodeTransport {
  return {
    evaluate: (fqfn, args) => transport.evaluate(fqfn, args),
    submit: (fqfn, args, transient) => {
      assertCustodialAllowed(fqfn);
      return transport.submit(fqfn, args, transient);
    },
  };
}
