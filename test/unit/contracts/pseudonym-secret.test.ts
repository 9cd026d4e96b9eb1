/**
 * The pseudonym secret lives in the member organisations' private data collection, set once by an
 * operator; endorsing peers derive pseudonyms from it exactly as the gateways did
 * (HMAC-SHA256(secret, 'impact-ledger/pseudonym-salt/v1\0' + category) as the salt, then
 * HMAC-SHA256(salt, subject id)), so pseudonyms stay stable. Clients cannot supply one.
 */
import '../../helpers/quiet-logs';
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { buildCast, claimDoc, submitClaim, TEST_NETWORK_SECRET } from '../../helpers/cast';
import { FakeNetwork } from '../../helpers/fake-fabric';

const SET = 'system:SetPseudonymSecret';

describe('contract system: the pseudonym secret (in-memory peer)', () => {
  it('is set once by an operator, into the private data collection only', async () => {
    const net = new FakeNetwork();
    const operator = net.member('Org1MSP', 'Admin@org1', 'admin');
    expect((await net.invokeWith(net.member('Org1MSP', 'User1@org1'), SET, [], { pseudonymSecret: 'x'.repeat(40) })).error?.code, 'a client').to.equal('FORBIDDEN_ROLE');
    expect((await net.invokeWith(operator, SET, [], {})).error?.code, 'no secret').to.equal('INVALID_ARGUMENT');
    expect((await net.invokeWith(operator, SET, [], { pseudonymSecret: 'short' })).error?.code, 'too short').to.equal('INVALID_ARGUMENT');
    const set = await net.invokeWith(operator, SET, [], { pseudonymSecret: 'x'.repeat(40) });
    expect(set.ok, set.message).to.equal(true);
    expect(set.writes.size, 'no public write').to.equal(0);
    expect([...set.privateWrites.keys()]).to.deep.equal(['pseudonymSecret\u0000secret']);
    expect(set.events.map((e) => e.name)).to.deep.equal(['PseudonymSecretSet']);
    const again = await net.invokeWith(net.member('Org2MSP', 'Admin@org2', 'admin'), SET, [], { pseudonymSecret: 'y'.repeat(40) });
    expect(again.error?.code, 'another operator, later').to.equal('PSEUDONYM_SECRET_SET');
    expect(net.world.privateEntries.get('pseudonymSecret\u0000secret')?.toString()).to.equal('x'.repeat(40));
  });

  it('derives the pseudonym on the peer exactly as the gateways did, reading the secret privately', async () => {
    const c = await buildCast();
    const doc = await claimDoc(c.p1, { subject: 'stable' });
    const outcome = await submitClaim<{ subjectPseudonym: string }>(c.net, c.submitter1, doc);
    expect(outcome.ok, outcome.message).to.equal(true);
    const salt = createHmac('sha256', TEST_NETWORK_SECRET).update('impact-ledger/pseudonym-salt/v1\u0000commute-modal-shift').digest('hex');
    expect(outcome.result.subjectPseudonym).to.equal(createHmac('sha256', salt).update('did:example:stable', 'utf8').digest('hex'));
    expect([...outcome.privateReads]).to.deep.equal(['pseudonymSecret\u0000secret']);
  });

  it('refuses claims until the secret is set (PSEUDONYM_SECRET_UNSET)', async () => {
    const c = await buildCast();
    c.net.world.privateEntries.clear();
    const outcome = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1, { subject: 'early' }));
    expect(outcome.error?.code).to.equal('PSEUDONYM_SECRET_UNSET');
    expect(outcome.writes.size).to.equal(0);
  });
});
