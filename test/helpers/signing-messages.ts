/**
 * The two messages a client signs in the client-signing protocol (docs/api.md), built with
 * Fabric's own protobuf classes, and an in-memory gateway that plays the protocol's signing steps
 * for unit tests of the client side (verifying every signature like the real gateway).
 */
import type * as FabricProtos from '@hyperledger/fabric-protos';
import { isLowS, parseDerSignature } from '@impact-ledger/gateway';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './network';

const { common, msp, peer } = createRequire(path.join(REPO_ROOT, 'gateway', 'package.json'))('@hyperledger/fabric-protos') as typeof FabricProtos;

export interface Invocation { mspId: string; certPem: string; txId: string; channel: string; chaincode: string; args: string[] }
export interface SignedMessages { proposal: Uint8Array; transaction: Uint8Array }

export function fabricMessages(p: Invocation): SignedMessages {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(p.mspId);
  identity.setIdBytes(Buffer.from(p.certPem));
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(common.HeaderType.ENDORSER_TRANSACTION);
  channelHeader.setChannelId(p.channel);
  channelHeader.setTxId(p.txId);
  const signatureHeader = new common.SignatureHeader();
  signatureHeader.setCreator(identity.serializeBinary());
  signatureHeader.setNonce(randomBytes(24));
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  header.setSignatureHeader(signatureHeader.serializeBinary());
  const chaincodeId = new peer.ChaincodeID();
  chaincodeId.setName(p.chaincode);
  const input = new peer.ChaincodeInput();
  input.setArgsList(p.args.map((a) => Buffer.from(a)));
  const spec = new peer.ChaincodeSpec();
  spec.setType(peer.ChaincodeSpec.Type.NODE);
  spec.setChaincodeId(chaincodeId);
  spec.setInput(input);
  const invocation = new peer.ChaincodeInvocationSpec();
  invocation.setChaincodeSpec(spec);
  const proposalPayload = new peer.ChaincodeProposalPayload();
  proposalPayload.setInput(invocation.serializeBinary());
  const proposal = new peer.Proposal();
  proposal.setHeader(header.serializeBinary());
  proposal.setPayload(proposalPayload.serializeBinary());
  const actionPayload = new peer.ChaincodeActionPayload();
  actionPayload.setChaincodeProposalPayload(proposalPayload.serializeBinary());
  const action = new peer.TransactionAction();
  action.setHeader(signatureHeader.serializeBinary());
  action.setPayload(actionPayload.serializeBinary());
  const transaction = new peer.Transaction();
  transaction.setActionsList([action]);
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(transaction.serializeBinary());
  return { proposal: proposal.serializeBinary(), transaction: payload.serializeBinary() };
}

export type Step = 'proposal' | 'transaction';
export interface PlayedAnswer { status: number; body: unknown }

/** A 202 signing answer for a message (digest = SHA-256 of the message unless overridden). */
export function signingAnswer(step: Step, txId: string, transaction: string, message: Uint8Array, digest?: Uint8Array): PlayedAnswer {
  const session = randomBytes(16).toString('hex');
  return {
    status: 202,
    body: { signing: {
      session, step, transactionId: txId, transaction, message: Buffer.from(message).toString('base64'),
      digest: Buffer.from(digest ?? createHash('sha256').update(message).digest()).toString('base64'),
      signUrl: `/v1/signing/${session}`, expiresAt: new Date(Date.now() + 120_000).toISOString(),
    } },
  };
}

/**
 * An in-memory gateway for one route call: answers the proposal step first, then for every
 * posted signature checks it (400 SIGNATURE_INVALID / SIGNATURE_NOT_LOW_S as the protocol says)
 * and answers the next step, `conflicts` times a fresh proposal after the transaction step (MVCC), then 201.
 */
export function playedGateway(invocation: Omit<Invocation, 'txId'>, transaction: string, options: { conflicts?: number; tamper?: (step: Step, messages: SignedMessages, txId: string) => SignedMessages } = {}) {
  const publicKey = createPublicKey(invocation.certPem);
  const posts: { path: string; step: Step }[] = [];
  let conflicts = options.conflicts ?? 0;
  let txId = '';
  let messages: SignedMessages;
  let pending: { step: Step; path: string } | undefined;
  const issue = (step: Step): PlayedAnswer => {
    if (step === 'proposal') {
      txId = randomBytes(32).toString('hex');
      messages = fabricMessages({ ...invocation, txId });
    }
    const shown = options.tamper ? options.tamper(step, messages, txId) : messages;
    const answer = signingAnswer(step, txId, transaction, shown[step]);
    pending = { step, path: (answer.body as { signing: { signUrl: string } }).signing.signUrl };
    return answer;
  };
  const problem = (status: number, code: string): PlayedAnswer => ({ status, body: { type: 'about:blank', status, code, title: code } });
  return {
    posts,
    first: (): PlayedAnswer => issue('proposal'),
    post: async (url: string, body: unknown): Promise<PlayedAnswer> => {
      if (pending === undefined || url !== pending.path) return problem(404, 'SIGNING_SESSION_UNKNOWN');
      const step = pending.step;
      posts.push({ path: url, step });
      const signature = Buffer.from(String((body as { signature?: unknown }).signature), 'base64');
      if (!verify('sha256', Buffer.from(messages[step]), publicKey, signature)) return problem(400, 'SIGNATURE_INVALID');
      if (!isLowS(parseDerSignature(signature))) return problem(400, 'SIGNATURE_NOT_LOW_S');
      if (step === 'proposal') return issue('transaction');
      if (conflicts-- > 0) return issue('proposal');
      pending = undefined;
      return { status: 201, body: { result: { ok: true }, txId, blockNumber: 7 } };
    },
  };
}
