/**
 * Set-up of the Caliper benchmark (scripts/bench-caliper.sh): grants the roles and activates a
 * protocol on the bench network (as `npm run bench` does), then writes Caliper's network
 * configuration (one connection profile per organisation: its peer, TLS root, the identities
 * Admin and User1) and the benchmark configuration, generated from network.json.
 * Usage: node caliper-setup.js NETWORK_JSON OUT_DIR TX_PER_ROUND IN_FLIGHT
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadNetwork } from '../../test/helpers/network';
import { Connections, Heights } from './client';
import { generateIssuerKey } from '@impact-ledger/credentials';
import { buildCast, setUp } from './setup';

/** Seed of the benchmark issuer's Ed25519 key: the workload re-derives the key to sign each claim's credential. */
const ISSUER_SEED_HEX = '42'.repeat(32);

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
    const user1 = org.users.find((u) => u.name.startsWith('User1@'));
    if (!user1) throw new Error(`no User1 in ${org.mspId}`);
    return {
      mspid: org.mspId,
      identities: { certificates: [
        { name: 'Admin', clientPrivateKey: { path: key(org.admin.keyDir) }, clientSignedCert: { path: org.admin.certPath } },
        { name: 'User1', clientPrivateKey: { path: key(user1.keyDir) }, clientSignedCert: { path: user1.certPath } },
      ] },
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
  const benchConfig = {
    test: {
      name: 'impact-ledger', description: 'impact-ledger: the trivial one-key write and claim submission, through fabric-gateway',
      workers: { number: workers },
      rounds: [
        { label: 'trivial-put', description: 'bench:Put, one key per transaction (operators of the 3 orgs)', txNumber,
          rateControl,
          workload: { module: 'workloads/put.js', arguments: { chaincode: net.chaincode, orgs: net.orgs.map((o) => o.mspId) } } },
        { label: 'claim-submission', description: 'claims:Submit, a distinct claim per transaction (submitters of the 3 orgs)', txNumber,
          rateControl,
          workload: { module: 'workloads/submit-claim.js', arguments: { chaincode: net.chaincode, orgs: net.orgs.map((o) => o.mspId), protocolId: protocol.id, protocolVersion: protocol.version, issuerSeed: ISSUER_SEED_HEX } } },
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
