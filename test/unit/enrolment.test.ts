/**
 * Enrolment with a key the user makes: the CSR (P-256, CN = the enrolment name, self-signed, no
 * key inside), fabric-ca's re-enrolment token (low-S ECDSA over method, URI, body and
 * certificate), the CA's answers, and the wallet's MSP layout (key 0600, keystore 0700, one key).
 */
import '@impact-ledger/gateway';
import * as x509 from '@peculiar/x509';
import { caToken, inspectRequest, keyFileName, loadWallet, lowSSignature, newKeyAndRequest, parseCaAnswer, storeWallet } from '@impact-ledger/gateway';
import { expect } from 'chai';
import { createPrivateKey, createPublicKey, verify, webcrypto } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

x509.cryptoProvider.set(webcrypto);

const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** A certificate for the key of `keyPem` (self-signed: the CA's part in these unit tests). */
async function certificateFor(keyPem: string, cn: string): Promise<string> {
  const priv = createPrivateKey(keyPem);
  const alg = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await webcrypto.subtle.importKey('pkcs8', priv.export({ format: 'der', type: 'pkcs8' }), alg, true, ['sign']);
  const publicKey = await webcrypto.subtle.importKey('spki', createPublicKey(priv).export({ format: 'der', type: 'spki' }), alg, true, ['verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: `CN=${cn}`, notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000),
    keys: { privateKey, publicKey }, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  return cert.toString('pem');
}

/** r and s of a DER ECDSA signature. */
function rs(der: Buffer): { r: bigint; s: bigint } {
  const int = (at: number): { value: bigint; next: number } => {
    expect(der[at]).to.equal(0x02);
    const len = der[at + 1] as number;
    return { value: BigInt(`0x${der.subarray(at + 2, at + 2 + len).toString('hex')}`), next: at + 2 + len };
  };
  expect(der[0]).to.equal(0x30);
  const r = int(2);
  return { r: r.value, s: int(r.next).value };
}

describe('enrolment: CSR, CA token and wallet', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'il-wallet-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('the certificate request', () => {
    it('is a self-signed P-256 PKCS#10 request for CN=<name>, for the key made here, without the key', async () => {
      const { keyPem, csrPem } = await newKeyAndRequest('alice@org1');
      expect(csrPem).to.match(/^-----BEGIN CERTIFICATE REQUEST-----/);
      expect(csrPem).not.to.include('PRIVATE');
      const csr = await inspectRequest(csrPem);
      expect(csr).to.deep.equal({ subject: 'CN=alice@org1', publicKeyAlgorithm: 'ECDSA', namedCurve: 'P-256', valid: true });
      const key = createPrivateKey(keyPem);
      expect(key.asymmetricKeyDetails?.namedCurve).to.equal('prime256v1');
      const requestKey = Buffer.from(new x509.Pkcs10CertificateRequest(csrPem).publicKey.rawData);
      expect(requestKey.equals(createPublicKey(key).export({ format: 'der', type: 'spki' }))).to.equal(true);
    });

    it('makes a new key every time', async () => {
      const [a, b] = await Promise.all([newKeyAndRequest('bob'), newKeyAndRequest('bob')]);
      expect(a.keyPem).not.to.equal(b.keyPem);
    });

    it('escapes RDN specials in the name and refuses an empty one', async () => {
      expect((await inspectRequest((await newKeyAndRequest('a,b')).csrPem)).subject).to.equal('CN=a\\,b');
      let refused = false;
      try { await newKeyAndRequest(' '); } catch { refused = true; }
      expect(refused).to.equal(true);
    });
  });

  describe("fabric-ca's re-enrolment token", () => {
    it('signs with a low S (Fabric refuses high-S ECDSA signatures) and verifies', async () => {
      const { keyPem } = await newKeyAndRequest('carol');
      const key = createPrivateKey(keyPem);
      for (let i = 0; i < 40; i++) {
        const data = Buffer.from(`message ${i}`);
        const sig = lowSSignature(key, data);
        expect(rs(sig).s <= P256_N / 2n, `signature ${i}`).to.equal(true);
        expect(verify('sha256', data, createPublicKey(key), sig)).to.equal(true);
      }
    });

    it('is base64(cert) "." base64(signature over METHOD.b64(uri).b64(body).b64(cert))', async () => {
      const { keyPem } = await newKeyAndRequest('carol');
      const certPem = await certificateFor(keyPem, 'carol');
      const body = '{"certificate_request":"x"}';
      const token = caToken(certPem, createPrivateKey(keyPem), 'POST', '/api/v1/reenroll', body);
      const [b64cert, b64sig, ...rest] = token.split('.');
      expect(rest).to.deep.equal([]);
      expect(Buffer.from(b64cert as string, 'base64').toString()).to.equal(certPem);
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      const payload = `POST.${b64('/api/v1/reenroll')}.${b64(body)}.${b64(certPem)}`;
      const pub = createPublicKey(keyPem);
      expect(verify('sha256', Buffer.from(payload), pub, Buffer.from(b64sig as string, 'base64'))).to.equal(true);
      expect(verify('sha256', Buffer.from(payload.replace('POST', 'GET')), pub, Buffer.from(b64sig as string, 'base64'))).to.equal(false);
    });
  });

  describe("the CA's answer", () => {
    it('yields the certificate and chain PEM, or an error naming the CA messages', () => {
      const cert = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';
      const ok = JSON.stringify({ success: true, result: { Cert: Buffer.from(cert).toString('base64'), ServerInfo: { CAChain: Buffer.from('chain').toString('base64') } }, errors: [] });
      expect(parseCaAnswer(201, ok)).to.deep.equal({ certPem: cert, caChainPem: 'chain' });
      const refused = JSON.stringify({ success: false, result: null, errors: [{ code: 20, message: 'Authentication failure' }] });
      expect(() => parseCaAnswer(401, refused)).to.throw('the CA refused (HTTP 401): 20: Authentication failure');
      expect(() => parseCaAnswer(502, '<html>')).to.throw('no JSON');
    });
  });

  describe('the wallet', () => {
    it('is an MSP folder: signcerts, keystore (0700) with the key (0600), cacerts, NodeOUs, wallet.json', async () => {
      const { keyPem } = await newKeyAndRequest('dave');
      const certPem = await certificateFor(keyPem, 'dave');
      const wallet = storeWallet(dir, { caUrl: 'https://127.0.0.1:7055', name: 'dave' }, keyPem, certPem, 'CA PEM');
      const keyName = keyFileName(createPrivateKey(keyPem));
      expect(keyName).to.match(/^[0-9a-f]{64}_sk$/);
      expect(readdirSync(path.join(dir, 'keystore'))).to.deep.equal([keyName]);
      expect(statSync(path.join(dir, 'keystore', keyName)).mode & 0o777).to.equal(0o600);
      expect(statSync(path.join(dir, 'keystore')).mode & 0o777).to.equal(0o700);
      expect(readFileSync(path.join(dir, 'keystore', keyName), 'utf8')).to.equal(keyPem);
      expect(readFileSync(path.join(dir, 'signcerts', 'cert.pem'), 'utf8')).to.equal(certPem);
      expect(readFileSync(path.join(dir, 'cacerts', 'ca.pem'), 'utf8')).to.equal('CA PEM');
      expect(readFileSync(path.join(dir, 'config.yaml'), 'utf8')).to.include('ClientOUIdentifier:\n    Certificate: cacerts/ca.pem\n    OrganizationalUnitIdentifier: client');
      expect(JSON.parse(readFileSync(path.join(dir, 'wallet.json'), 'utf8'))).to.deep.equal({ caUrl: 'https://127.0.0.1:7055', name: 'dave' });
      const loaded = loadWallet(dir);
      expect(loaded.certPem).to.equal(certPem);
      expect(loaded.keyFile).to.equal(wallet.keyFile);
      expect(loaded.key.export({ format: 'pem', type: 'pkcs8' })).to.equal(keyPem);
    });

    it('keeps the key 0600 whatever the umask', async () => {
      const old = process.umask(0);
      try {
        const { keyPem } = await newKeyAndRequest('erin');
        const wallet = storeWallet(dir, { caUrl: 'https://ca', name: 'erin' }, keyPem, await certificateFor(keyPem, 'erin'), 'CA');
        expect(statSync(wallet.keyFile).mode & 0o777).to.equal(0o600);
      } finally {
        process.umask(old);
      }
    });

    it('replaces the key and certificate on re-enrolment, leaving exactly one key', async () => {
      const first = await newKeyAndRequest('frank');
      const a = storeWallet(dir, { caUrl: 'https://ca', name: 'frank' }, first.keyPem, await certificateFor(first.keyPem, 'frank'), 'CA');
      const second = await newKeyAndRequest('frank');
      const b = storeWallet(dir, { caUrl: 'https://ca', name: 'frank' }, second.keyPem, await certificateFor(second.keyPem, 'frank'), 'CA');
      expect(existsSync(a.keyFile)).to.equal(false);
      expect(readdirSync(path.join(dir, 'keystore'))).to.deep.equal([path.basename(b.keyFile)]);
      expect(loadWallet(dir).key.export({ format: 'pem', type: 'pkcs8' })).to.equal(second.keyPem);
    });

    it('refuses a certificate that is not for the key made here', async () => {
      const mine = await newKeyAndRequest('gina');
      const other = await newKeyAndRequest('gina');
      const foreign = await certificateFor(other.keyPem, 'gina');
      expect(() => storeWallet(dir, { caUrl: 'https://ca', name: 'gina' }, mine.keyPem, foreign, 'CA')).to.throw('not for the key');
      expect(existsSync(path.join(dir, 'keystore'))).to.equal(false);
    });
  });
});
