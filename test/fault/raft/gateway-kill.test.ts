/**
 * Fault: SIGKILL the HTTP gateway process (scripts/network.sh's gateway.org1) while claims are in
 * flight, restart it on its data dir. Clients retry with the same Idempotency-Key until they get
 * an answer; each must end with exactly one transaction on the ledger, the one its 2xx names.
 */
import { createStaticDocumentLoader, credentialHash } from '@impact-ledger/credentials';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { claimRequest, newIssuer, signedCredential, SUBJECT_SCHEMA } from '../../e2e/scenario';
import { getWorld } from '../../integration/world';
import { fault, gatewayTokens, gatewayUrl, loadProtocol, reportRecovery, sleep, SteadyLoad, verifyClaimsLoad, type LoadItem } from '../load';

const loader = createStaticDocumentLoader();

interface Answer { status: number; body: Record<string, unknown> }

/** POSTs with the same Idempotency-Key until an answer that is not "try again" (or 90 s pass). */
async function postUntilAnswered(url: string, token: string, body: unknown, key: string, log: { retries: number }): Promise<Answer> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const answer = { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
      const retryable = answer.status >= 500 || (answer.status === 409 && answer.body.code === 'IDEMPOTENCY_KEY_IN_FLIGHT');
      if (!retryable || Date.now() > deadline) return answer;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    log.retries++;
    await sleep(250);
  }
}

describe('fault: the HTTP gateway killed mid-load', function () {
  this.timeout(300_000);

  it('gives each client retrying with its Idempotency-Key exactly one transaction', async () => {
    const w = await getWorld();
    const issuer = await newIssuer();
    const protocol = await loadProtocol(w, {
      verifiers: [w.user(2, 2).identity], quorum: 1, minVerifierOrgs: 1, validators: [w.user(1, 4).identity],
      trustedIssuers: [issuer.controller], subjectSchema: SUBJECT_SCHEMA,
    });
    const url = `${gatewayUrl(w.net, 1)}/v1/claims`;
    const token = gatewayTokens(w.net, 1).User1 as string;
    const retries = { retries: 0 };
    const refusals: Answer[] = [];
    const load = new SteadyLoad(async (): Promise<LoadItem> => {
      const credential = await signedCredential(issuer);
      const key = await credentialHash(credential, loader);
      const body = claimRequest({ id: protocol.id, version: protocol.version, category: '' }, credential);
      const idempotencyKey = randomUUID();
      return {
        key,
        run: async () => {
          const answer = await postUntilAnswered(url, token, body, idempotencyKey, retries);
          if (answer.status !== 201) {
            refusals.push(answer);
            throw new Error(`${answer.status} ${String(answer.body.code)}: ${String(answer.body.detail)}`);
          }
          return { txId: answer.body.txId as string, blockNumber: BigInt(answer.body.blockNumber as number) };
        },
      };
    }, 4, 0);
    let restarted = false;
    let killAt = 0;
    try {
      await load.acknowledged(6);
      killAt = Date.now();
      const faultAt = await fault(w.net, 'kill-node', 'gateway.org1');
      await sleep(1_000);
      await fault(w.net, 'start-node', 'gateway.org1');
      restarted = true;
      await load.acknowledged(6);
      reportRecovery('gateway.org1 SIGKILL + restart', load, faultAt, 60_000);
    } finally {
      const record = await load.stop();
      if (!restarted) await fault(w.net, 'start-node', 'gateway.org1').catch(() => undefined);
      const spanning = record.attempts.filter((a) => a.startedAt < killAt && (a.endedAt ?? 0) > killAt).length;
      console.log(`      ${spanning} requests in flight at the kill; ${retries.retries} retries with the same Idempotency-Key; refusals: ${JSON.stringify(refusals.map((r) => r.body.code))}`);
      await verifyClaimsLoad(w.net, protocol, record, 'gateway kill');
      // The gateway journals each endorsed transaction (fsync) before sending it, and a retry asks
      // the ledger what became of it: a transaction committed before the kill is answered with its
      // own txId, never refused as CREDENTIAL_REPLAYED (gateway/src/idempotency.ts).
      expect(refusals, 'every client got its 201 (same txId on retry), none CREDENTIAL_REPLAYED').to.deep.equal([]);
    }
  });
});
