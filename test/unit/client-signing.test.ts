/**
 * Client signing, without Fabric: DER and low-S conversions, the gateway's signature check, the
 * signing session rules (caller binding, one signature per step, expiry), custody declarations
 * (ConfigError for a custodial verifier or validator) and the Fabric client id of a certificate.
 */
import {
  ApiError, ConfigError, checkSignature, clientSignerOf, createSigningSessions, encodeDerSignature, fabricClientId, isLowS, loadCustody, lowS, normaliseDer,
  P256_ORDER, p1363ToDer, parseDerSignature, SignatureFormatError, type ApiKey, type Outcome, type StepSink,
} from '@impact-ledger/gateway';
import type { OrgNetwork } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { ClientIdentity } from 'fabric-shim';
import { generateKeyPairSync, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { certificatePem } from '../helpers/certificates';

const message = Buffer.from('the bytes Fabric hashes');

function p256(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** A DER signature with a high S (the other valid signature of the same message). */
function highS(der: Uint8Array): Uint8Array {
  const parsed = parseDerSignature(der);
  return encodeDerSignature({ r: parsed.r, s: isLowS(parsed) ? P256_ORDER - parsed.s : parsed.s });
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return undefined;
}

async function codeOfAsync(action: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return undefined;
}

describe('client signing: DER and low S', () => {
  const { privateKey, publicKey } = p256();

  it('parses and re-encodes what node:crypto signs, byte for byte', () => {
    for (let i = 0; i < 20; i++) {
      const der = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
      expect(Buffer.from(encodeDerSignature(parseDerSignature(der)))).to.deep.equal(der);
    }
  });

  it('normalises a high S to n - s: low, still valid, and idempotent', () => {
    for (let i = 0; i < 20; i++) {
      const high = highS(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }));
      expect(isLowS(parseDerSignature(high))).to.equal(false);
      const low = normaliseDer(high);
      expect(isLowS(parseDerSignature(low))).to.equal(true);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, low)).to.equal(true);
      expect(Buffer.from(normaliseDer(low))).to.deep.equal(Buffer.from(low));
    }
  });

  it('turns a P1363 (WebCrypto) signature into a valid DER low-S one', () => {
    for (let i = 0; i < 20; i++) {
      const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = p1363ToDer(raw);
      expect(isLowS(parseDerSignature(der))).to.equal(true);
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, der)).to.equal(true);
    }
    expect(() => p1363ToDer(new Uint8Array(63))).to.throw(SignatureFormatError);
  });

  it('refuses what is not strict DER: trailing bytes, non-minimal or negative integers, scalars out of range', () => {
    const good = Buffer.from(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }));
    const bad = [
      Buffer.concat([good, Buffer.from([0])]),
      Buffer.from([0x30, 6, 0x02, 2, 0x00, 0x01, 0x02, 1, 1].slice(0, 8)),
      Buffer.from([0x30, 7, 0x02, 2, 0x00, 0x01, 0x02, 1, 1]),
      Buffer.from([0x30, 6, 0x02, 1, 0x81, 0x02, 1, 1]),
      Buffer.from([0x30, 6, 0x02, 1, 0x00, 0x02, 1, 1]),
      encodeDerSignature({ r: 1n, s: P256_ORDER }),
      Buffer.from('not a signature at all'),
    ];
    for (const bytes of bad) expect(() => parseDerSignature(bytes), bytes.toString('hex')).to.throw(SignatureFormatError);
    expect(lowS({ r: 1n, s: P256_ORDER - 1n })).to.deep.equal({ r: 1n, s: 1n });
  });

  it('the gateway check: a valid low-S signature passes; high S, another key, other bytes and garbage are refused', () => {
    const der = normaliseDer(sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }));
    expect(codeOf(() => checkSignature(publicKey, message, der))).to.equal(undefined);
    expect(codeOf(() => checkSignature(publicKey, message, highS(der)))).to.equal('SIGNATURE_NOT_LOW_S');
    expect(codeOf(() => checkSignature(p256().publicKey, message, der))).to.equal('SIGNATURE_INVALID');
    expect(codeOf(() => checkSignature(publicKey, Buffer.from('other bytes'), der))).to.equal('SIGNATURE_INVALID');
    expect(codeOf(() => checkSignature(publicKey, message, Buffer.from('garbage garbage')))).to.equal('SIGNATURE_INVALID');
  });
});

describe('client signing: sessions', () => {
  const alice = p256();
  const bob = p256();
  const signatureOf = (bytes: Uint8Array, key: KeyObject = alice.privateKey): Uint8Array => normaliseDer(sign('sha256', bytes, { key, dsaEncoding: 'der' }));
  const done: Outcome = { status: 201, body: { result: {}, txId: 'tx', blockNumber: 3 }, replayed: false };

  /** A mutation that asks for two signatures, then answers `done`; records what it was given. */
  function twoSteps(given: Uint8Array[]): (sink: StepSink) => Promise<Outcome> {
    return async (sink) => {
      given.push(await sink.sign({ step: 'proposal', transactionId: 't1', transaction: 'claims:Verify', message: Buffer.from('proposal bytes') }));
      given.push(await sink.sign({ step: 'transaction', transactionId: 't1', transaction: 'claims:Verify', message: Buffer.from('transaction bytes') }));
      return done;
    };
  }

  it('answers each step in turn and the outcome after the last; the mutation gets the checked signatures', async () => {
    const sessions = createSigningSessions();
    const given: Uint8Array[] = [];
    const first = await sessions.start('alice', alice.publicKey, twoSteps(given));
    if (first.kind !== 'step') throw new Error('expected a step');
    expect(first.step).to.include({ step: 'proposal', transaction: 'claims:Verify', message: Buffer.from('proposal bytes').toString('base64'), signUrl: `/v1/signing/${first.step.session}` });
    const second = await sessions.sign('alice', first.step.session, signatureOf(Buffer.from('proposal bytes')));
    expect(second.kind === 'step' && second.step.step).to.equal('transaction');
    const last = await sessions.sign('alice', first.step.session, signatureOf(Buffer.from('transaction bytes')));
    expect(last).to.deep.equal({ kind: 'done', outcome: done });
    expect(given).to.have.length(2);
    sessions.close();
  });

  it('binds a session to its caller, keeps a step open after a bad signature, takes one signature per step', async () => {
    const sessions = createSigningSessions();
    const first = await sessions.start('alice', alice.publicKey, twoSteps([]));
    if (first.kind !== 'step') throw new Error('expected a step');
    const id = first.step.session;
    const good = signatureOf(Buffer.from('proposal bytes'));
    expect(await codeOfAsync(() => sessions.sign('bob', id, good))).to.equal('SIGNING_SESSION_UNKNOWN');
    expect(await codeOfAsync(() => sessions.sign('alice', `${id}0`, good))).to.equal('SIGNING_SESSION_UNKNOWN');
    expect(await codeOfAsync(() => sessions.sign('alice', id, signatureOf(Buffer.from('proposal bytes'), bob.privateKey)))).to.equal('SIGNATURE_INVALID');
    await sessions.sign('alice', id, good);
    expect(await codeOfAsync(() => sessions.sign('alice', id, good))).to.equal('SIGNING_STEP_DONE');
    await sessions.sign('alice', id, signatureOf(Buffer.from('transaction bytes')));
    expect(await codeOfAsync(() => sessions.sign('alice', id, signatureOf(Buffer.from('transaction bytes'))))).to.equal('SIGNING_STEP_DONE');
    sessions.close();
  });

  it('answers at once, with no session, a mutation that needs no signature or fails before one', async () => {
    const sessions = createSigningSessions();
    expect(await sessions.start('alice', alice.publicKey, async () => done)).to.deep.equal({ kind: 'done', outcome: done });
    expect(await codeOfAsync(() => sessions.start('alice', alice.publicKey, async () => { throw new ApiError(422, 'INVALID_CREDENTIAL', 'no'); }))).to.equal('INVALID_CREDENTIAL');
    expect(sessions.size).to.equal(0);
  });

  it('passes a refusal after a signature to the signing request (the problem a custodial caller would get)', async () => {
    const sessions = createSigningSessions();
    const first = await sessions.start('alice', alice.publicKey, async (sink) => {
      await sink.sign({ step: 'proposal', transactionId: 't', transaction: 'claims:Verify', message: Buffer.from('p') });
      throw new ApiError(403, 'NOT_DESIGNATED', 'not a designated verifier');
    });
    if (first.kind !== 'step') throw new Error('expected a step');
    expect(await codeOfAsync(() => sessions.sign('alice', first.step.session, signatureOf(Buffer.from('p'))))).to.equal('NOT_DESIGNATED');
    sessions.close();
  });

  it('expires a step not signed in time: the mutation fails, the session is unknown', async () => {
    const sessions = createSigningSessions({ ttlMs: 50 });
    let failure: unknown;
    const first = await sessions.start('alice', alice.publicKey, async (sink) => {
      try {
        await sink.sign({ step: 'proposal', transactionId: 't', transaction: 'claims:Verify', message: Buffer.from('p') });
      } catch (error) {
        failure = error;
        throw error;
      }
      return done;
    });
    if (first.kind !== 'step') throw new Error('expected a step');
    expect(Date.parse(first.step.expiresAt)).to.be.greaterThan(Date.now() - 1000);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(failure).to.be.instanceOf(ApiError).with.property('code', 'SIGNING_SESSION_EXPIRED');
    expect(await codeOfAsync(() => sessions.sign('alice', first.step.session, signatureOf(Buffer.from('p'))))).to.equal('SIGNING_SESSION_UNKNOWN');
    expect(sessions.size).to.equal(0);
  });
});

describe('client signing: custody and identities', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'il-custody-'));
  const fileOf = (name: string, pem: string): string => {
    const file = path.join(dir, name);
    writeFileSync(file, pem);
    return file;
  };
  const user = (name: string, role: string, subject: string) => ({ name, role, certPath: fileOf(`${name}.pem`, certificatePem(subject)), keyDir: path.join(dir, 'no-keys') });
  const admin = user('Admin@org1.example', 'operator', '/C=US/O=org1/OU=admin/CN=Admin@org1.example');
  const users = [
    user('User1@org1.example', 'submitter', '/C=US/O=org1/OU=client/CN=User1@org1.example'),
    user('User2@org1.example', 'verifier', '/C=US/O=org1/OU=client/CN=User2@org1.example'),
    user('User4@org1.example', 'validator', '/C=US/O=org1/OU=client/CN=User4@org1.example'),
  ];
  const peer = { name: 'p', host: 'p', endpoint: 'p:1', tlsRootCertPath: '/none' };
  const org: OrgNetwork = {
    channel: 'c', chaincode: 'cc', mspId: 'Org1MSP', peer, peers: [{ ...peer, mspId: 'Org1MSP' }],
    admin, users: new Map([admin, ...users].map((u) => [u.name, u])),
  };
  const key = (userName: string, extra: Partial<ApiKey> = {}): ApiKey => ({ sha256: 'a'.repeat(64), user: userName, ...extra });

  it('signs for the declared service accounts only; every other user signs itself, with its network.json certificate', () => {
    const custody = loadCustody([key(admin.name, { custody: 'gateway' }), key('User1@org1.example', { custody: 'gateway' }), key('User2@org1.example')], org);
    expect(custody.clientSigner('User1@org1.example')).to.equal(undefined);
    expect(custody.mayReadKey('User1@org1.example')).to.equal(true);
    expect(custody.mayReadKey('User2@org1.example')).to.equal(false);
    expect(custody.clientSigner('User2@org1.example')).to.include({ mspId: 'Org1MSP', operator: false });
  });

  it('refuses to start when a verifier or validator is declared custodial (ConfigError naming it)', () => {
    for (const name of ['User2@org1.example', 'User4@org1.example']) {
      expect(() => loadCustody([key(name, { custody: 'gateway' })], org)).to.throw(ConfigError, name);
    }
  });

  it("holds a worker's service account key only when the operator names it, never a verifier's or validator's", () => {
    const keys = [key('User1@org1.example'), key(admin.name, { custody: 'gateway' })];
    expect(loadCustody(keys, org).mayReadKey('User1@org1.example')).to.equal(false);
    const withWorker = loadCustody(keys, org, ['User1@org1.example']);
    expect(withWorker.mayReadKey('User1@org1.example')).to.equal(true);
    for (const name of ['User2@org1.example', 'User4@org1.example', 'Someone@org2.example']) {
      expect(() => loadCustody(keys, org, [name])).to.throw(ConfigError, name);
    }
  });

  it('serves a user of another organisation from the certificate and MSP of its API key; refuses one without a certificate', () => {
    const foreign = certificatePem('/C=US/O=org2/OU=client/CN=User2@org2.example');
    const custody = loadCustody([key('User2@org2.example', { mspId: 'Org2MSP', certificatePath: fileOf('foreign.pem', foreign) })], org);
    expect(custody.clientSigner('User2@org2.example')?.identity).to.match(/^Org2MSP::x509::/);
    expect(custody.mayReadKey('User2@org2.example')).to.equal(false);
    expect(() => loadCustody([key('User2@org2.example', { mspId: 'Org2MSP' })], org)).to.throw(ConfigError, 'certificate');
    expect(() => loadCustody([key('User2@org2.example', { mspId: 'Org2MSP', certificate: foreign, custody: 'gateway' })], org)).to.throw(ConfigError);
  });

  it('writes the identity string exactly as the chaincode\'s ClientIdentity does (multi-valued OUs, a slash in a value)', () => {
    for (const subject of ['/C=US/ST=North Carolina/O=org1/OU=client/CN=User2@org1.example', '/C=US/O=org1/OU=client+OU=org1+OU=department1/CN=a\\/b']) {
      const pem = certificatePem(subject);
      const stub = { getChannelID: () => 'c', getTxID: () => 't', getCreator: () => ({ mspid: 'Org1MSP', idBytes: Buffer.from(pem) }) };
      const expected = new ClientIdentity(stub as unknown as ConstructorParameters<typeof ClientIdentity>[0]).getID();
      expect(fabricClientId(new X509Certificate(pem)), subject).to.equal(expected);
      expect(clientSignerOf('u', 'Org1MSP', pem).identity).to.equal(`Org1MSP::${expected}`);
    }
  });
});
