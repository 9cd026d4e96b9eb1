/**
 * The client's side of client-signed transactions (issue #18), in Node with the same WebCrypto
 * code the browser dashboard runs: reading back what a message says, importing a wallet's key
 * non-extractable, and following the gateway's signing steps with the checks made before every
 * signature (the DER/low-S conversion is tested in client-signing.test.ts).
 */
import type * as FabricProtos from '@hyperledger/fabric-protos';
import * as grpc from '@grpc/grpc-js';
import { connect, type Identity } from '@hyperledger/fabric-gateway';
import {
  derOfPem, describeSigningMessage, EncodingError, followSigning, followSigningSteps, isLowS, parseDerSignature,
  signerFromWallet, SigningRefused, spkiOfCertificateDer, type SigningProgress, type WebSigner,
} from '@impact-ledger/gateway';
import { expect } from 'chai';
import { createHash, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { certificateAndKey } from '../helpers/certificates';
import { REPO_ROOT } from '../helpers/network';
import { fabricMessages, playedGateway, signingAnswer, type SignedMessages } from '../helpers/signing-messages';

const { gateway: gatewayProtos } = createRequire(path.join(REPO_ROOT, 'gateway', 'package.json'))('@hyperledger/fabric-protos') as typeof FabricProtos;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

async function expectRefusal(promise: Promise<unknown>, code: string): Promise<void> {
  let caught: unknown;
  try { await promise; } catch (error) { caught = error; }
  expect(caught, `refused with ${code}`).to.be.instanceOf(SigningRefused);
  expect((caught as { code?: string }).code).to.equal(code);
}

describe('client signing steps: reading what is signed', () => {
  const { certPem } = certificateAndKey('/O=org1/OU=client/CN=User5@org1');
  const invocation = { mspId: 'Org1MSP', certPem, txId: 'a'.repeat(64), channel: 'impact', chaincode: 'impact', args: ['campaigns:Settle', 'camp-1', 'b'.repeat(64)] };

  it('reads creator, transaction id, channel, chaincode and arguments of the two messages', () => {
    const messages = fabricMessages(invocation);
    for (const step of ['proposal', 'transaction'] as const) {
      expect(describeSigningMessage(step, new Uint8Array(messages[step])), step).to.deep.equal({
        mspId: 'Org1MSP', certificatePem: certPem, transactionId: invocation.txId, channel: 'impact', chaincode: 'impact', args: invocation.args,
      });
    }
  });

  it("reads the proposal that fabric-gateway's offline signing builds (its digest is SHA-256 of the message)", async () => {
    const client = new grpc.Client('127.0.0.1:1', grpc.credentials.createInsecure());
    const identity: Identity = { mspId: 'Org1MSP', credentials: Buffer.from(certPem) };
    const gw = connect({ client, identity });
    try {
      const proposal = gw.getNetwork('impact').getContract('impact', 'campaigns').newProposal('Settle', { arguments: ['camp-1', 'b'.repeat(64)] });
      const message = gatewayProtos.ProposedTransaction.deserializeBinary(proposal.getBytes()).getProposal()?.getProposalBytes_asU8() ?? new Uint8Array(0);
      expect(hex(createHash('sha256').update(message).digest())).to.equal(hex(proposal.getDigest()));
      const content = describeSigningMessage('proposal', new Uint8Array(message));
      expect(content).to.deep.include({ mspId: 'Org1MSP', certificatePem: certPem, transactionId: proposal.getTransactionId(), channel: 'impact', chaincode: 'impact' });
      expect(content.args).to.deep.equal(['campaigns:Settle', 'camp-1', 'b'.repeat(64)]);
    } finally {
      gw.close();
      client.close();
    }
  });

  it('finds the public key of a certificate (what the browser matches the key against)', () => {
    const spki = spkiOfCertificateDer(derOfPem(certPem, 'CERTIFICATE'));
    expect(hex(spki)).to.equal(hex(createPublicKey(certPem).export({ format: 'der', type: 'spki' })));
    expect(() => spkiOfCertificateDer(new Uint8Array([0x30, 0x05, 1]))).to.throw(EncodingError);
    expect(() => describeSigningMessage('proposal', new Uint8Array([0x0a, 0x05, 1]))).to.throw(EncodingError);
  });
});

describe('client signing steps: wallet key in WebCrypto, non-extractable', () => {
  const user = certificateAndKey('/O=org1/OU=client/CN=User5@org1');
  const other = certificateAndKey('/O=org1/OU=client/CN=User4@org1');

  it("imports the wallet's PKCS#8 key non-extractable and signs low-S DER that the certificate verifies", async () => {
    const signer = await signerFromWallet([user.keyPem, user.certPem]);
    expect(signer.privateKey.extractable).to.equal(false);
    expect(signer.privateKey.usages).to.deep.equal(['sign']);
    let exported = true;
    await crypto.subtle.exportKey('pkcs8', signer.privateKey).catch(() => { exported = false; });
    expect(exported, 'the key cannot be exported').to.equal(false);
    const message = new TextEncoder().encode('a proposal');
    const der = await signer.sign(message);
    expect(isLowS(parseDerSignature(der))).to.equal(true);
    expect(verify('sha256', message, createPublicKey(user.certPem), der)).to.equal(true);
    expect(hex(derOfPem(signer.certificatePem, 'CERTIFICATE'))).to.equal(hex(derOfPem(user.certPem, 'CERTIFICATE')));
  });

  it("refuses another wallet's certificate, a SEC1 key and a wallet missing a file", async () => {
    await expectRefusal(signerFromWallet([user.keyPem, other.certPem]), 'KEY_CERTIFICATE_MISMATCH');
    const sec1 = createPrivateKey(user.keyPem).export({ format: 'pem', type: 'sec1' }).toString();
    await expectRefusal(signerFromWallet([sec1, user.certPem]), 'WALLET_INVALID');
    await expectRefusal(signerFromWallet([user.certPem]), 'WALLET_INVALID');
    await expectRefusal(signerFromWallet(['-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----', user.certPem]), 'WALLET_INVALID');
  });
});

describe('client signing steps: following the signing steps', () => {
  const user = certificateAndKey('/O=org1/OU=client/CN=User5@org1');
  const other = certificateAndKey('/O=org1/OU=client/CN=User4@org1');
  const proofId = 'c'.repeat(64);
  const invocation = { mspId: 'Org1MSP', certPem: user.certPem, channel: 'impact', chaincode: 'impact', args: ['campaigns:Settle', 'camp-1', proofId] };
  const expectation = { transaction: 'campaigns:Settle', arguments: ['camp-1', proofId] };
  let signer: WebSigner;

  before(async () => { signer = await signerFromWallet([user.keyPem + user.certPem]); });

  it('signs the proposal and the transaction, reports progress and returns the final answer', async () => {
    const gw = playedGateway(invocation, 'campaigns:Settle');
    const progress: SigningProgress[] = [];
    const answer = await followSigningSteps(gw.first(), { signer, expect: expectation, post: gw.post, onProgress: (p) => progress.push(p) });
    expect(answer).to.deep.include({ status: 201 });
    expect(gw.posts.map((p) => p.step)).to.deep.equal(['proposal', 'transaction']);
    expect(progress.map((p) => `${p.step} ${p.phase}`)).to.deep.equal(['proposal signed', 'proposal sent', 'transaction signed', 'transaction sent']);
  });

  it('follows a fresh proposal after an MVCC conflict until the final answer', async () => {
    const gw = playedGateway(invocation, 'campaigns:Settle', { conflicts: 2 });
    const answer = await followSigningSteps(gw.first(), { signer, expect: expectation, post: gw.post });
    expect(answer.status).to.equal(201);
    expect(gw.posts).to.have.length(6);
  });

  it('returns a custodial answer and a problem as they are, without signing anything more', async () => {
    const custodial = { status: 201, body: { txId: 'x', blockNumber: 1 } };
    expect(await followSigningSteps(custodial, { signer, expect: expectation, post: () => { throw new Error('no post') } })).to.equal(custodial);
    // a key that is not the certificate's: the client's checks pass, the gateway refuses the signature
    const wrongKey = await signerFromWallet([other.keyPem, other.certPem]);
    const gw = playedGateway(invocation, 'campaigns:Settle');
    const signed: WebSigner = { certificatePem: user.certPem, sign: wrongKey.sign };
    const answer = await followSigningSteps(gw.first(), { signer: signed, expect: expectation, post: gw.post });
    expect(answer.status).to.equal(400);
    expect(answer.body).to.deep.include({ code: 'SIGNATURE_INVALID' });
  });

  const tampered: [string, string, (step: string, m: SignedMessages, txId: string) => SignedMessages, number][] = [
    ['another creator in the proposal', 'NOT_MY_IDENTITY', (step, m, txId) => (step === 'proposal' ? { ...m, proposal: fabricMessages({ ...invocation, certPem: other.certPem, txId }).proposal } : m), 0],
    ['another creator in the transaction', 'NOT_MY_IDENTITY', (step, m, txId) => (step === 'transaction' ? { ...m, transaction: fabricMessages({ ...invocation, certPem: other.certPem, txId }).transaction } : m), 1],
    ['another transaction in the proposal', 'UNEXPECTED_TRANSACTION', (step, m, txId) => (step === 'proposal' ? { ...m, proposal: fabricMessages({ ...invocation, args: ['proofs:Transfer', proofId, 'someone', '5', ''], txId }).proposal } : m), 0],
    ['another proof in the transaction', 'UNEXPECTED_ARGUMENTS', (step, m, txId) => (step === 'transaction' ? { ...m, transaction: fabricMessages({ ...invocation, args: ['campaigns:Settle', 'camp-1', 'd'.repeat(64)], txId }).transaction } : m), 1],
  ];
  for (const [what, code, tamper, signedBefore] of tampered) {
    it(`refuses to sign ${what} (${code}) and posts nothing for it`, async () => {
      const gw = playedGateway(invocation, 'campaigns:Settle', { tamper });
      await expectRefusal(followSigningSteps(gw.first(), { signer, expect: expectation, post: gw.post }), code);
      expect(gw.posts, 'only the steps before it were signed').to.have.length(signedBefore);
    });
  }

  it('refuses a digest that is not the SHA-256 of the message, a renamed transaction and a changed transaction id', async () => {
    const messages = fabricMessages({ ...invocation, txId: 'e'.repeat(64) });
    const post = () => { throw new Error('nothing may be posted'); };
    await expectRefusal(followSigningSteps(signingAnswer('proposal', 'e'.repeat(64), 'campaigns:Settle', messages.proposal, new Uint8Array(32)), { signer, expect: expectation, post }), 'DIGEST_MISMATCH');
    await expectRefusal(followSigningSteps(signingAnswer('proposal', 'e'.repeat(64), 'proofs:Retire', messages.proposal), { signer, expect: expectation, post }), 'UNEXPECTED_TRANSACTION');
    await expectRefusal(followSigningSteps(signingAnswer('proposal', 'f'.repeat(64), 'campaigns:Settle', messages.proposal), { signer, expect: expectation, post }), 'TRANSACTION_ID_MISMATCH');
    const next = fabricMessages({ ...invocation, txId: '0'.repeat(64) });
    await expectRefusal(followSigningSteps(signingAnswer('proposal', 'e'.repeat(64), 'campaigns:Settle', messages.proposal), {
      signer, expect: expectation, post: async () => signingAnswer('transaction', '0'.repeat(64), 'campaigns:Settle', next.transaction),
    }), 'TRANSACTION_ID_MISMATCH');
    await expectRefusal(followSigningSteps({ status: 202, body: { signing: { step: 'proposal' } } }, { signer, expect: expectation, post }), 'SIGNING_STEP_MALFORMED');
    // the commit status is the gateway's read: a client never signs a commit-status request
    const commit = signingAnswer('proposal', 'e'.repeat(64), 'campaigns:Settle', messages.proposal);
    (commit.body as { signing: { step: string } }).signing.step = 'commit';
    await expectRefusal(followSigningSteps(commit, { signer, expect: expectation, post }), 'SIGNING_STEP_MALFORMED');
  });

  it("runs the same checks for the Node client, which signs with the user's KeyObject", async () => {
    const key = { certificatePem: user.certPem, privateKey: createPrivateKey(user.keyPem) };
    const gw = playedGateway(invocation, 'campaigns:Settle', { conflicts: 1 });
    expect((await followSigning(gw.first(), key, gw.post, { expectedTransaction: 'campaigns:Settle' })).status).to.equal(201);
    expect(gw.posts).to.have.length(4);
    const foreign = { certificatePem: other.certPem, privateKey: createPrivateKey(other.keyPem) };
    const refused = playedGateway(invocation, 'campaigns:Settle');
    await expectRefusal(followSigning(refused.first(), foreign, refused.post), 'NOT_MY_IDENTITY');
    await expectRefusal(followSigning(playedGateway(invocation, 'campaigns:Settle').first(), key, gw.post, { expectedTransaction: 'proofs:Retire' }), 'UNEXPECTED_TRANSACTION');
    expect(refused.posts).to.deep.equal([]);
  });

  it('stops after maxSteps when the gateway never stops asking', async () => {
    const gw = playedGateway(invocation, 'campaigns:Settle', { conflicts: 100 });
    await expectRefusal(followSigningSteps(gw.first(), { signer, expect: expectation, post: gw.post, maxSteps: 6 }), 'TOO_MANY_SIGNING_STEPS');
    expect(gw.posts).to.have.length(6);
  });
});
