/**
 * What a client is asked to sign, read back from the bytes themselves (protocol: docs/api.md,
 * "Client-signed transactions"): the creator (MSP id and certificate), the transaction id, the
 * channel, and for the proposal and the transaction the chaincode and its arguments (the first is
 * the transaction name, e.g. "campaigns:Settle"). Only the fields a client checks are read.
 *   proposal:    Proposal{1 header: Header, 2 payload: ChaincodeProposalPayload}
 *   transaction: Payload{1 header: Header, 2 data: Transaction}
 */
import { EncodingError, protoBytes, protoFields, protoRepeatedBytes, protoString, type ProtoFields } from './encoding.js';

/** The messages a client signs, in order (its transaction's commit status is a read the gateway asks). */
export const SIGNING_STEPS = ['proposal', 'transaction'] as const;
export type SigningStepName = (typeof SIGNING_STEPS)[number];

export interface SignedContent {
  readonly mspId: string;
  /** The creator's certificate as the message carries it (PEM text). */
  readonly certificatePem: string;
  readonly transactionId: string;
  readonly channel: string;
  /** Chaincode name and arguments (args[0] is the transaction name). */
  readonly chaincode: string;
  readonly args: readonly string[];
}

const utf8 = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

function identity(serialized: Uint8Array<ArrayBuffer>): { mspId: string; certificatePem: string } {
  const fields = protoFields(serialized);
  return { mspId: protoString(fields, 1), certificatePem: protoString(fields, 2) };
}

/** Header{1 channel_header: ChannelHeader{4 channel_id, 5 tx_id}, 2 signature_header: SignatureHeader{1 creator}}. */
function header(bytes: Uint8Array<ArrayBuffer>): { mspId: string; certificatePem: string; transactionId: string; channel: string } {
  const fields = protoFields(bytes);
  const channelHeader = protoFields(protoBytes(fields, 1));
  const signatureHeader = protoFields(protoBytes(fields, 2));
  return { ...identity(protoBytes(signatureHeader, 1)), channel: protoString(channelHeader, 4), transactionId: protoString(channelHeader, 5) };
}

/** ChaincodeProposalPayload{1 input: ChaincodeInvocationSpec{1 ChaincodeSpec{2 ChaincodeID{2 name}, 3 ChaincodeInput{1 args}}}}. */
function invocation(proposalPayload: ProtoFields): { chaincode: string; args: string[] } {
  const spec = protoFields(protoBytes(protoFields(protoBytes(proposalPayload, 1)), 1));
  const chaincodeId = protoFields(protoBytes(spec, 2));
  const input = protoFields(protoBytes(spec, 3));
  return { chaincode: protoString(chaincodeId, 2), args: protoRepeatedBytes(input, 1).map(utf8) };
}

/** Reads what a signing step's `message` says. Throws EncodingError on bytes that are not such a message. */
export function describeSigningMessage(step: SigningStepName, message: Uint8Array<ArrayBuffer>): SignedContent {
  const top = protoFields(message);
  const head = header(protoBytes(top, 1));
  if (step === 'proposal') return { ...head, ...invocation(protoFields(protoBytes(top, 2))) };
  // Transaction{1 actions: TransactionAction{2 payload: ChaincodeActionPayload{1 chaincode_proposal_payload}}}
  const actions = protoRepeatedBytes(protoFields(protoBytes(top, 2)), 1);
  if (actions.length !== 1 || actions[0] === undefined) throw new EncodingError('PROTOBUF_MALFORMED', `a transaction with ${actions.length} actions`);
  const actionPayload = protoFields(protoBytes(protoFields(actions[0]), 2));
  return { ...head, ...invocation(protoFields(protoBytes(actionPayload, 1))) };
}
