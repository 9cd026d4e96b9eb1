import { expect } from 'chai';
import { generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { isLowS, keySigning, parseDerSignature } from '@impact-ledger/gateway';

describe('keySigning: Fabric signatures through node:crypto', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { signer, hash } = keySigning(privateKey);

  it('passes the whole message to the signer (hash.none): the signer hashes it itself', () => {
    const message = randomBytes(100);
    expect(Buffer.from(hash(message)).equals(message)).to.equal(true);
  });

  it('signs SHA-256 ECDSA P-256 in DER with a low S, every time (Fabric refuses a high S)', async () => {
    for (let i = 0; i < 64; i++) {
      const message = randomBytes(1 + i * 37);
      const signature = await signer(hash(message));
      expect(verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature), `signature ${i}`).to.equal(true);
      expect(isLowS(parseDerSignature(signature)), `signature ${i} has a low S`).to.equal(true);
      expect(verify('sha256', randomBytes(message.length), { key: publicKey, dsaEncoding: 'der' }, signature)).to.equal(false);
    }
  });
});
