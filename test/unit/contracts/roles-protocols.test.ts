import { expect } from 'chai';
import { ChaincodeEvents } from '@impact-ledger/chaincode/events';
import { buildCast, claimDoc, submitClaim, protocolDoc, type Cast } from '../../helpers/cast';
import { compositeKey } from '../../helpers/fake-fabric';

interface RoleRecord { identity: string; role: string; active: boolean; history: { action: string; actor: string; txId: string }[] }
interface WhoAmI { identity: string; mspId: string; operator: boolean; roles: string[] }
interface Protocol { id: string; version: number; status: string; ownerMsp: string; activation?: { txId: string } }

describe('contract roles (in-memory peer)', () => {
  let c: Cast;
  beforeEach(async () => {
    c = await buildCast();
  });

  it('answers Ping and WhoAmI with the identity string, operator flag (OU=admin) and sorted roles', async () => {
    expect(await c.net.ok(c.op1, 'system:Ping')).to.deep.equal({ ok: true, chaincode: 'impact-ledger', version: '0.1.0' });
    expect(await c.net.ok<WhoAmI>(c.op1, 'roles:WhoAmI')).to.deep.equal({ identity: c.op1.identity, mspId: 'Org1MSP', operator: true, roles: [] });
    expect(await c.net.ok<WhoAmI>(c.dual, 'roles:WhoAmI')).to.deep.equal({ identity: c.dual.identity, mspId: 'Org1MSP', operator: false, roles: ['submitter', 'verifier'] });
  });

  it('writes the grant under il.role/msp/identity/role with history and emits RoleGranted', async () => {
    const member = c.net.member('Org1MSP', 'User9@org1');
    const outcome = await c.net.invoke<RoleRecord>(c.op1, 'roles:Grant', member.identity, 'funder');
    const key = `\u0000il.role\u0000Org1MSP\u0000${member.identity}\u0000funder\u0000`;
    expect([...outcome.writes.keys()]).to.deep.equal([key]);
    expect(JSON.parse(outcome.writes.get(key) as string)).to.deep.equal(outcome.result);
    expect(outcome.result).to.deep.include({ identity: member.identity, role: 'funder', active: true });
    expect(outcome.result.history).to.deep.equal([{ action: 'grant', actor: c.op1.identity, txId: outcome.txId, timestamp: outcome.timestamp }]);
    expect(outcome.events).to.deep.equal([{ name: ChaincodeEvents.RoleGranted, payload: { identity: member.identity, role: 'funder', actor: c.op1.identity, txId: outcome.txId } }]);
  });

  it('refuses a foreign operator (FOREIGN_MSP naming the MSP) and a non-operator (FORBIDDEN_ROLE), writing nothing', async () => {
    const before = new Map(c.net.world.entries);
    const foreign = await c.net.invoke(c.op2, 'roles:Grant', c.funder.identity.replace('Org2MSP', 'Org1MSP'), 'verifier');
    expect(foreign.error?.code).to.equal('FOREIGN_MSP');
    expect(foreign.error?.message).to.contain('Org1MSP');
    expect((await c.net.invoke(c.submitter1, 'roles:Grant', c.validator1.identity, 'verifier')).error?.code).to.equal('FORBIDDEN_ROLE');
    expect((await c.net.invoke(c.op1, 'roles:Grant', c.submitter1.identity, 'operator')).error?.code).to.equal('INVALID_ARGUMENT');
    expect((await c.net.invoke(c.op1, 'roles:Grant', 'not-an-identity', 'funder')).error?.code).to.equal('INVALID_ARGUMENT');
    expect(c.net.world.entries).to.deep.equal(before);
  });

  it('revokes with history; a revoked role no longer authorises', async () => {
    const revoked = await c.net.invoke<RoleRecord>(c.op1, 'roles:Revoke', c.submitter1.identity, 'submitter');
    expect(revoked.result.active).to.equal(false);
    expect(revoked.result.history.map((h) => h.action)).to.deep.equal(['grant', 'revoke']);
    expect(revoked.events[0]?.name).to.equal(ChaincodeEvents.RoleRevoked);
    const refused = await submitClaim(c.net, c.submitter1, await claimDoc(c.p1));
    expect(refused.error?.code).to.equal('FORBIDDEN_ROLE');
    expect((await c.net.invoke(c.op1, 'roles:Revoke', c.submitter1.identity, 'submitter')).error?.code).to.equal('NOT_FOUND');
    expect((await c.net.invoke(c.op2, 'roles:Revoke', c.submitter1.identity, 'submitter')).error?.code).to.equal('FOREIGN_MSP');
    const history = (await c.net.ok<{ records: RoleRecord[] }>(c.funder, 'roles:History', c.submitter1.identity, '10', '')).records;
    expect(history.map((r) => [r.role, r.active])).to.deep.equal([['submitter', false]]);
    const list = (await c.net.ok<{ records: RoleRecord[] }>(c.funder, 'roles:List', 'Org1MSP', '100', '')).records;
    expect(list.map((r) => r.identity)).to.not.include(c.submitter1.identity);
    expect(list.every((r) => r.identity.startsWith('Org1MSP::'))).to.equal(true);
  });
});

describe('contract protocols (in-memory peer)', () => {
  let c: Cast;
  beforeEach(async () => {
    c = await buildCast();
  });

  function doc(id: string): Record<string, unknown> {
    return protocolDoc({ id, verifiers: [c.verA.identity], validators: [c.validator1.identity] });
  }

  it('registers a draft under il.protocol/id/version(10 digits), indexes its trusted issuers (il.issuer~trusted) and emits ProtocolRegistered', async () => {
    const outcome = await c.net.invoke<Protocol>(c.op3, 'protocols:Register', JSON.stringify(doc('solar')));
    const issuers = (doc('solar').trustedIssuers as string[]).slice().sort();
    expect([...outcome.writes.keys()]).to.deep.equal([compositeKey('il.protocol', ['solar', '0000000001']), ...issuers.map((i) => compositeKey('il.issuer~trusted', [i]))]);
    expect(JSON.parse(outcome.writes.get(compositeKey('il.issuer~trusted', [issuers[0] as string])) ?? '')).to.deep.equal({ issuer: issuers[0], protocolId: 'solar', protocolVersion: 1 });
    expect(outcome.result).to.include({ id: 'solar', version: 1, status: 'draft', ownerMsp: 'Org3MSP' });
    expect(outcome.events).to.deep.equal([{ name: 'ProtocolRegistered', payload: { protocolId: 'solar', protocolVersion: 1, ownerMsp: 'Org3MSP', txId: outcome.txId } }]);
  });

  it('refuses the same id+version again (ALREADY_EXISTS), a non-operator, and invalid documents with the field', async () => {
    expect((await c.net.invoke(c.op2, 'protocols:Register', JSON.stringify(doc('commute')))).error?.code).to.equal('ALREADY_EXISTS');
    expect((await c.net.invoke(c.submitter1, 'protocols:Register', JSON.stringify(doc('x')))).error?.code).to.equal('FORBIDDEN_ROLE');
    const invalid = await c.net.invoke(c.op1, 'protocols:Register', JSON.stringify({ ...doc('y'), quorum: 2 }));
    expect(invalid.error?.code).to.equal('INVALID_ARGUMENT');
    expect(invalid.error?.details?.field).to.equal('quorum');
    expect((await c.net.invoke(c.op1, 'protocols:Register', '{not json')).error?.code).to.equal('INVALID_ARGUMENT');
  });

  it('walks the lifecycle by the owner MSP operators only; content is immutable (new version = new record)', async () => {
    await c.net.ok(c.op1, 'protocols:Register', JSON.stringify(doc('wind')));
    expect((await c.net.invoke(c.op2, 'protocols:Activate', 'wind', '1')).error?.code).to.equal('FOREIGN_MSP');
    expect((await c.net.invoke(c.verA, 'protocols:Activate', 'wind', '1')).error?.code).to.equal('FORBIDDEN_ROLE');
    expect((await c.net.invoke(c.op1, 'protocols:Suspend', 'wind', '1')).error?.code).to.equal('INVALID_STATE_TRANSITION');
    const activated = await c.net.invoke<Protocol>(c.op1, 'protocols:Activate', 'wind', '1');
    expect(activated.events[0]?.name).to.equal('ProtocolActivated');
    expect(activated.result.activation?.txId).to.equal(activated.txId);
    expect((await c.net.invoke<Protocol>(c.op1, 'protocols:Suspend', 'wind', '1')).events[0]?.name).to.equal('ProtocolSuspended');
    expect((await c.net.invoke<Protocol>(c.op1, 'protocols:Retire', 'wind', '1')).events[0]?.name).to.equal('ProtocolRetired');
    expect((await c.net.invoke(c.op1, 'protocols:Activate', 'wind', '1')).error?.code).to.equal('INVALID_STATE_TRANSITION');
    await c.net.ok(c.op1, 'protocols:Register', JSON.stringify({ ...doc('wind'), version: 2, title: 'Wind v2' }));
    const first = await c.net.ok<{ records: Protocol[]; bookmark: string }>(c.funder, 'protocols:ListVersions', 'wind', '1', '');
    const second = await c.net.ok<{ records: Protocol[]; bookmark: string }>(c.funder, 'protocols:ListVersions', 'wind', '1', first.bookmark);
    expect([...first.records, ...second.records].map((v) => [v.version, v.status]), 'one version per page, oldest first').to.deep.equal([[1, 'retired'], [2, 'draft']]);
    expect((await c.net.invoke(c.funder, 'protocols:Get', 'wind', '3')).error?.code).to.equal('NOT_FOUND');
    expect((await c.net.invoke(c.op1, 'protocols:Update', 'wind', '1')).error?.code, 'no update transaction exists').to.equal('INVALID_ARGUMENT');
  });

  it('pages through protocols with a bookmark and refuses page sizes outside 1..100', async () => {
    const first = await c.net.ok<{ records: Protocol[]; bookmark: string; fetchedRecordsCount: number }>(c.funder, 'protocols:List', '2', '');
    expect(first.records.map((p) => p.id)).to.deep.equal(['commute', 'heat-pumps']);
    expect(first.fetchedRecordsCount).to.equal(2);
    const second = await c.net.ok<{ records: Protocol[]; bookmark: string }>(c.funder, 'protocols:List', '2', first.bookmark);
    expect(second.records.map((p) => p.id)).to.deep.equal(['org2-commute']);
    expect(second.bookmark).to.equal('');
    for (const size of ['0', '101', 'ten']) expect((await c.net.invoke(c.funder, 'protocols:List', size, '')).error?.code).to.equal('INVALID_ARGUMENT');
  });
});
