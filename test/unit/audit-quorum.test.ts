/**
 * How many orderer signatures a block needs, by the consensus of the configuration it was
 * ordered under: Raft 1, BFT (SmartBFT) the quorum ceil((n + f + 1) / 2), f = floor((n - 1) / 3).
 */
import { bftQuorum, requiredOrdererSignatures } from '@impact-ledger/gateway';
import { expect } from 'chai';

describe('audit bundles: orderer-signature quorum', () => {
  it('BFT quorum of n consenters', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map(bftQuorum)).to.deep.equal([1, 2, 2, 3, 4, 4, 5, 7]);
  });

  it('Raft needs one signature, BFT its quorum (consensus type as the configuration names it)', () => {
    expect(requiredOrdererSignatures('etcdraft', 3)).to.equal(1);
    expect(requiredOrdererSignatures('BFT', 4)).to.equal(3);
    expect(requiredOrdererSignatures('bft', 4)).to.equal(3);
    expect(requiredOrdererSignatures('BFT', 0)).to.equal(1);
  });
});
