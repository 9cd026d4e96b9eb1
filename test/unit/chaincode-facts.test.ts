/**
 * The chaincode's facts entry (`@impact-ledger/chaincode/facts`) is pure: loading it, or the
 * gateway's offline bundle verifier built on it, loads nothing of Fabric's chaincode runtime.
 * And it is the chaincode's own layout: the key text is the one the chaincode writes.
 */
import { canonicalJson, claimIdOf, compositeKeyText, Keys, proofIdOf, sha256Hex, txIdsOf, validationStepOf } from '@impact-ledger/chaincode/facts';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** The Fabric chaincode-runtime modules loaded by `import(entry)` in a fresh Node process. */
function fabricModulesLoadedBy(entry: string): string[] {
  const script = `import(${JSON.stringify(entry)}).then(() => {
    const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](fabric-shim|fabric-contract-api|fabric-shim-api)[\\\\/]/.test(f));
    console.log('LOADED ' + JSON.stringify([...new Set(loaded.map((f) => f.replace(/.*node_modules[\\\\/]/, '').split(/[\\\\/]/)[0]))]));
  })`;
  const out = execFileSync('node', ['-e', script], { cwd: REPO, encoding: 'utf8', env: { ...process.env, IL_BENCH_CONTRACT: '' } });
  const line = out.split('\n').find((l) => l.startsWith('LOADED ')) ?? 'LOADED null';
  return JSON.parse(line.slice('LOADED '.length)) as string[];
}

describe('chaincode facts: one pure source for keys, ids, canonical JSON and record parsers', function () {
  this.timeout(30_000);

  it('the check sees Fabric when it is loaded (the chaincode entry loads fabric-contract-api)', () => {
    expect(fabricModulesLoadedBy('@impact-ledger/chaincode')).to.include('fabric-contract-api');
  });

  it('@impact-ledger/chaincode/facts loads no Fabric chaincode runtime', () => {
    expect(fabricModulesLoadedBy('@impact-ledger/chaincode/facts')).to.deep.equal([]);
  });

  it('the offline bundle verifier (gateway dist/audit/verify.js) loads no Fabric chaincode runtime', () => {
    expect(fabricModulesLoadedBy(path.join(REPO, 'gateway', 'dist', 'audit', 'verify.js'))).to.deep.equal([]);
  });

  it("composite key text is Fabric's createCompositeKey layout", () => {
    expect(compositeKeyText(Keys.protocol('p', 3))).to.equal('\u0000il.protocol\u0000p\u00000000000003\u0000');
    expect(compositeKeyText(Keys.verification('c', 'v'))).to.equal('\u0000il.verification\u0000c\u0000v\u0000');
  });

  it('ids, canonical JSON, transaction ids and the validation step', () => {
    expect(claimIdOf('ab')).to.equal(sha256Hex('claim:ab'));
    expect(proofIdOf('cd')).to.equal(sha256Hex('proof:cd'));
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { f: 1, e: 0 }] } })).to.equal('{"a":{"c":[2,{"e":0,"f":1}]},"b":1}');
    expect([...txIdsOf({ issuedTxId: 't1', nested: [{ txId: 't2' }, { updatedTxId: '' }], lastTransfer: { txId: 't3' } })].sort()).to.deep.equal(['t1', 't2', 't3']);
    expect(validationStepOf({ issuer: 'x', quantity: 5, issuedTxId: 't', issuedAt: 'now' })).to.deep.equal({ validator: 'x', quantity: 5, txId: 't', timestamp: 'now' });
  });
});
