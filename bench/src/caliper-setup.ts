/**
 * Set-up of the Caliper benchmark (scripts/bench-caliper.sh): grants the roles and activates a
 * protocol on the bench network (as `npm run bench` does), then writes Caliper's network
 * configuration (one connection profile per organisation: its peer, TLS root, and the cast of
 * bench/src/setup.ts: Admin, User1 the submitter, User2 the verifier, User4 the validator) and the
 * benchmark configuration (its rounds below), generated from network.json.
 * Caliper's fabric:2.4 binding sends every request through the Fabric Gateway service of the
 * invoker's organisation's peer; the workloads take the organisations in turn.
 * Usage: node caliper-setup.js NETWORK_JSON OUT_DIR TX_PER_ROUND IN_FLIGHT
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadNetwork } from '../../test/helpers/network';
import { Connections, Heights } from './client';
import { generateIssuerKey } from '@impact-ledger/credentials';
import { buildCast, setUp } from './setup';

/** Seed of the benchmark issuer's Ed25519 key: the workload re-derives the key to sign each claim's credential. */
const ISSUER_SEED_HEX = '42'.repeat(32);

/** The identities of each organisation the workloads invoke as (the cast of setup.ts). */
const IDENTITIES = ['User1', 'User2', 'User4'] as const;

async function main(): Promise<void> {
  const [networkJson, out, txArg, loadArg] = process.argv.slice(2);
  if (!networkJson || !out) throw new Error('usage: caliper-setup NETWORK_JSON OUT_DIR [TX_PER_ROUND] [IN_FLIGHT]');
  const txNumber = Number(txArg ?? 600);
  const inFlight = Number(loadArg ?? 32);
  const net = loadNetwork(networkJson);
  const connections = new Connections(net);
  const cast = await buildCast(connections, net.orgs.length);
  const heights = await Heights.start(net.orgs.map((_o, i) => connections.actor(i + 1, 'Admin')));
  const issuer = await generateIssuerKey({ seed: Buffer.from(ISSUER_SEED_HEX, 'hex') });
  const protocol = await setUp(cast, heights, issuer.controller);
  heights.close();
  connections.close();

  mkdirSync(out, { recursive: true });
  const key = (dir: string) => path.join(dir, readdirSync(dir).find((f) => f.endsWith('_sk')) ?? '');
  const organizations = net.orgs.map((org, i) => {
    const profile = {
      name: `impact-ledger-org${i + 1}`, version: '1.0.0',
      client: { organization: org.mspId },
      organizations: { [org.mspId]: { mspid: org.mspId, peers: [org.peer.host] } },
      peers: { [org.peer.host]: { url: `grpcs://${org.peer.endpoint}`, tlsCACerts: { path: org.peer.tlsRootCertPath }, grpcOptions: { 'ssl-target-name-override': org.peer.host, hostnameOverride: org.peer.host } } },
    };
    const profilePath = path.join(out, `connection-org${i + 1}.json`);
    writeFileSync(profilePath, JSON.stringify(profile, null, 2));
    const users = IDENTITIES.map((name) => {
      const user = org.users.find((u) => u.name.startsWith(`${name}@`));
      if (!user) throw new Error(`no ${name} in ${org.mspId}`);
      return { name, clientPrivateKey: { path: key(user.keyDir) }, clientSignedCert: { path: user.certPath } };
    });
    return {
      mspid: org.mspId,
      identities: { certificates: [{ name: 'Admin', clientPrivateKey: { path: key(org.admin.keyDir) }, clientSignedCert: { path: org.admin.certPath } }, ...users] },
      connectionProfile: { path: profilePath, discover: true },
    };
  });
  const networkConfig = {
    name: 'impact-ledger', version: '2.0.0', caliper: { blockchain: 'fabric' },
    channels: [{ channelName: net.channel, contracts: [{ id: net.chaincode }] }],
    organizations,
  };
  const workers = 2;
  // fixed-load keeps `transactionLoad` requests unfinished in all, each worker its share
  const rateControl = { type: 'fixed-load', opts: { transactionLoad: Math.max(workers, inFlight) } };
  const orgs = net.orgs.map((o) => o.mspId);
  const claimsDir = path.join(out, 'claims');
  rmSync(claimsDir, { recursive: true, force: true });
  mkdirSync(claimsDir, { recursive: true });
  const claimArgs = { chaincode: net.chaincode, orgs, protocolId: protocol.id, protocolVersion: protocol.version, issuerSeed: ISSUER_SEED_HEX, txNumber, inFlight, claimsDir };
  const through = 'each through the Fabric Gateway service of its organisation\'s peer, the 3 organisations in turn';
  const benchConfig = {
    test: {
      name: 'impact-ledger',
      description: `impact-ledger's own workloads (trivial write, claim submission, verification vote, full workflow) on the bench network, ${inFlight} requests in flight over ${workers} workers`,
      workers: { number: workers },
      rounds: [
        { label: 'trivial-put', description: `bench:Put, one key per transaction, by the operators (Admin), ${through}`, txNumber, rateControl,
          workload: { module: 'workloads/put.js', arguments: { chaincode: net.chaincode, orgs } } },
        { label: 'claim-submission', description: `claims:Submit, a distinct claim per transaction (claim JSON argument, its signed credential as transient data, verified by each endorsing peer), by the submitters (User1), ${through}`, txNumber, rateControl,
          workload: { module: 'workloads/submit-claim.js', arguments: claimArgs } },
        { label: 'verification-vote', description: `claims:Verify (approve, assessed quantity, report hash), one vote per transaction on the claims of claim-submission, by the verifier (User2) of the claim's organisation, ${through}`, txNumber, rateControl,
          workload: { module: 'workloads/verify-vote.js', arguments: claimArgs } },
        { label: 'full-workflow', description: 'each claim: claims:Submit (User1 of org k), claims:Verify (User2 of org k), claims:Verify (User2 of org k+1, quorum 2), claims:Validate (User4 of org k+2), ' +
            'each step once the previous is committed, each through its organisation\'s peer Gateway. Each of the 4 transactions is one request: TPS counts transactions (claims/s = TPS / 4), ' +
            'the load counts claims in flight; a step refused because that peer has not committed the previous block yet is retried after a short pause (its failed attempts are in Fail)', txNumber, rateControl,
          workload: { module: 'workloads/workflow.js', arguments: claimArgs } },
      ],
    },
  };
  writeFileSync(path.join(out, 'networkconfig.yaml'), stringify(networkConfig));
  writeFileSync(path.join(out, 'benchconfig.yaml'), stringify(benchConfig));
  console.log(`caliper configuration in ${out} (protocol ${protocol.id})`);
}

main().then(() => process.exit(0), (error: unknown) => {
  console.error(error);
  process.exit(1);
});
