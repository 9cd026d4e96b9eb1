/**
 * Cross-party rules over HTTP on the real network, through each organisation's in-process gateway:
 * who may publish a status list and whose lists it may replace, canonical subject ids (one person,
 * one pseudonym), the gateway's early schema check, and a protocol id owned by its first MSP.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { getGatewayWorld, type GatewayWorld } from '../helpers/gateway-world';
import { signedStatusList, statusEntry } from '../helpers/status-lists';
import { activeProtocol, claimRequest, newIssuer, settled, signedCredential, SUBJECT_SCHEMA, type Committed, type IssuerKeyPair, type TestProtocol } from './scenario';

describe('e2e: cross-party rules', function () {
  this.timeout(300_000);
  let world: GatewayWorld;
  let issuer: IssuerKeyPair;
  let protocol: TestProtocol;

  before(async () => {
    world = await getGatewayWorld();
    issuer = await newIssuer();
    protocol = await activeProtocol(world, [issuer.controller]);
  });

  describe('status lists', () => {
    it('only operators or status-publishers publish; only trusted issuers\' lists; a list id stays its first issuer\'s', async () => {
      const listId = `https://status.example/${protocol.id}/takeover`;
      const original = await signedStatusList(issuer, listId, [5]);
      const user = world.client(1, 'User1');
      const admin = world.client(1, 'Admin');
      // start from no grant (a kept network may hold one from an earlier run)
      const ungranted = await admin.request('DELETE', `/v1/roles/${encodeURIComponent(world.identity(1, 'User1'))}/status-publisher`);
      expect([200, 404]).to.include(ungranted.status);
      if (ungranted.status === 200) await settled({ blockNumber: Number(ungranted.body.blockNumber) });
      const forbidden = await user.request('PUT', '/v1/status-lists', { credential: original });
      expect([forbidden.status, forbidden.body.code]).to.deep.equal([403, 'FORBIDDEN_ROLE']);

      const stranger = await newIssuer();
      const untrusted = await admin.request('PUT', '/v1/status-lists', { credential: await signedStatusList(stranger, `https://status.example/${protocol.id}/stranger`, []) });
      expect([untrusted.status, untrusted.body.code]).to.deep.equal([422, 'UNTRUSTED_ISSUER']);
      await settled(await admin.json<Committed>('PUT', '/v1/status-lists', { credential: original }, 200));

      // Mallory's key is trusted by a protocol of its own, and signs a list for the same id dated 9999.
      const mallory = await newIssuer();
      await activeProtocol(world, [mallory.controller]);
      const takeover = await signedStatusList(mallory, listId, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], new Date('9999-01-01T00:00:00Z'));
      const taken = await admin.request('PUT', '/v1/status-lists', { credential: takeover });
      expect([taken.status, taken.body.code]).to.deep.equal([409, 'STATUS_LIST_ISSUER_MISMATCH']);
      expect(await admin.json('GET', `/v1/status-lists?id=${encodeURIComponent(listId)}`, undefined, 200)).to.deep.equal(original);
      const current = await signedCredential(issuer, { fields: { credentialStatus: statusEntry(listId, 6) } });
      await user.json('POST', '/v1/claims', claimRequest(protocol, current), 201);

      // An operator grants the role; its holder publishes the issuer's update.
      await settled(await admin.json<Committed>('POST', '/v1/roles', { identity: world.identity(1, 'User1'), role: 'status-publisher' }, 201));
      await settled(await user.json<Committed>('PUT', '/v1/status-lists', { credential: await signedStatusList(issuer, listId, [5, 7]) }, 200));
      const revoked = await signedCredential(issuer, { fields: { credentialStatus: statusEntry(listId, 7) } });
      const refused = await user.request('POST', '/v1/claims', claimRequest(protocol, revoked));
      expect([refused.status, refused.body.code]).to.deep.equal([422, 'CREDENTIAL_REVOKED']);
    });
  });

  describe('subject ids', () => {
    const submit = async (id: string) => world.client(1, 'User1').request('POST', '/v1/claims', claimRequest(protocol, await signedCredential(issuer, { subject: { id } })));

    it('one pseudonym for "café" in NFC and NFD: the second claim for the same days is DOUBLE_COUNTING', async () => {
      const base = `https://people.example/${randomBytes(4).toString('hex')}/`;
      expect((await submit(`${base}caf\u00e9`)).status).to.equal(201);
      const nfd = await submit(`${base}cafe\u0301`);
      expect([nfd.status, nfd.body.code]).to.deep.equal([409, 'DOUBLE_COUNTING']);
    });

    it('one pseudonym for a fullwidth digit and its ASCII digit (NFKC)', async () => {
      const base = `did:example:commuter-${randomBytes(4).toString('hex')}-`;
      expect((await submit(`${base}1`)).status).to.equal(201);
      const fullwidth = await submit(`${base}\uff11`);
      expect([fullwidth.status, fullwidth.body.code]).to.deep.equal([409, 'DOUBLE_COUNTING']);
    });

    it('refuses a subject id with a zero-width space, or one that is neither a DID nor an http(s)/urn URL (422 INVALID_SUBJECT_ID)', async () => {
      for (const id of [`did:example:commuter\u200b-${randomBytes(4).toString('hex')}`, `did:example:caf\u00e9-${randomBytes(4).toString('hex')}`, 'mailto:someone@people.example']) {
        const refused = await submit(id);
        expect([refused.status, refused.body.code], id).to.deep.equal([422, 'INVALID_SUBJECT_ID']);
      }
    });
  });

  describe('protocols', () => {
    it('refuses a subject schema that does not compile before it reaches the ledger (400 INVALID_PROTOCOL_SCHEMA)', async () => {
      const refused = await world.client(1, 'Admin').request('POST', '/v1/protocols', {
        id: `broken-${randomBytes(4).toString('hex')}`, version: 1, subjectSchema: { ...SUBJECT_SCHEMA, properties: { quantity: { type: 'integr' } } },
      });
      expect([refused.status, refused.body.code]).to.deep.equal([400, 'INVALID_PROTOCOL_SCHEMA']);
    });

    it('refuses another organisation a version of the protocol (403 PROTOCOL_NOT_OWNED)', async () => {
      const versions = (await world.client(3, 'Admin').json<{ records: Record<string, unknown>[] }>('GET', `/v1/protocols/${protocol.id}`, undefined, 200)).records;
      const { status: _s, ownerMsp: _o, registered: _r, activation: _a, lifecycle: _l, ...definition } = versions[0] as Record<string, unknown>;
      const refused = await world.client(3, 'Admin').request('POST', '/v1/protocols', { ...definition, version: 2, validators: [world.identity(3, 'User4')] });
      expect([refused.status, refused.body.code]).to.deep.equal([403, 'PROTOCOL_NOT_OWNED']);
    });
  });
});
