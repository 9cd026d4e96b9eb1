/**
 * Each organisation is its own host (issue 19): on the real network, no party's folders hold
 * another party's private keys, every process listens only on its own party's loopback address,
 * and every endpoint a client dials is the address of the party that runs the node.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { currentNetwork, networkScript, type NetworkInfo } from '../helpers/network';
import { foreignKeys, listenersOf, listeningSockets, type Party } from '../helpers/org-isolation';

/** KEY='value' lines of an env file written by `network.sh env`. */
function envFile(file: string): Map<string, string> {
  return new Map(readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const match = /^([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
    if (!match) throw new Error(`${file}: not a KEY='value' line: ${line}`);
    return [match[1] ?? '', match[2] ?? ''] as const;
  }));
}

const ORDERER_DOMAIN = 'orderer.impact.local';

function parties(net: NetworkInfo): Party[] {
  const crypto = path.join(net.home, 'crypto');
  const orgs = net.orgs.map((org, index): Party => {
    const folder = path.join(crypto, 'peerOrganizations', org.domain);
    return {
      name: org.mspId,
      folders: [folder, path.join(net.home, 'chaincode', `org${index + 1}`), path.join(net.home, 'gateway', `org${index + 1}`)],
      rootCertPath: path.join(folder, 'ca', 'server', 'ca-cert.pem'),
      address: org.address,
    };
  });
  const ordererFolder = path.join(crypto, 'ordererOrganizations', ORDERER_DOMAIN);
  return [...orgs, { name: 'OrdererMSP', folders: [ordererFolder], rootCertPath: path.join(ordererFolder, 'ca', 'server', 'ca-cert.pem'), address: net.ordererAddress }];
}

/** The party that runs node `name` (ca.org2, peer0.org2, chaincode.org2, gateway.org2, orderer0, ca.orderer). */
function partyOfNode(net: NetworkInfo, name: string): string {
  const org = /\.org(\d+)$/.exec(name);
  if (org) return net.orgs[Number(org[1]) - 1]?.mspId ?? `unknown org ${org[1]}`;
  if (/^orderer\d+$/.test(name) || name === 'ca.orderer') return 'OrdererMSP';
  return `unknown node ${name}`;
}

function alive(pid: number): boolean {
  return existsSync(`/proc/${pid}/fd`);
}

describe('each organisation is its own host (real network)', function () {
  this.timeout(60_000);

  it('gives every party its own loopback address, and clients dial each node at its party\'s address', () => {
    const net = currentNetwork();
    const addresses = parties(net).map((party) => party.address);
    expect(new Set(addresses).size, addresses.join(' ')).to.equal(addresses.length);
    for (const address of addresses) expect(address).to.match(/^127\.\d+\.\d+\.\d+$/).and.not.equal('127.0.0.1');
    for (const org of net.orgs) {
      expect(org.peer.endpoint).to.match(new RegExp(`^${org.address.replaceAll('.', '\\.')}:\\d+$`));
      expect(org.peer.operations).to.match(new RegExp(`^http://${org.address.replaceAll('.', '\\.')}:\\d+$`));
      expect(org.chaincodeServer.address.startsWith(`${org.address}:`), org.chaincodeServer.address).to.equal(true);
      // the TLS name stays the host name: clients set it as ssl_target_name_override
      expect(org.peer.host).to.equal(`peer0.${org.domain}`);
    }
    for (const orderer of net.orderers) {
      for (const endpoint of [orderer.endpoint, orderer.adminEndpoint, orderer.operations.replace('http://', '')]) {
        expect(endpoint.startsWith(`${net.ordererAddress}:`), endpoint).to.equal(true);
      }
    }
  });

  it('keeps every private key in the folders of the party whose CA certified it', () => {
    const net = currentNetwork();
    const all = parties(net);
    // every organisation's folder under crypto/ is one of the parties'
    const crypto = path.join(net.home, 'crypto');
    expect(readdirSync(path.join(crypto, 'peerOrganizations')).sort()).to.deep.equal(net.orgs.map((org) => org.domain).sort());
    expect(readdirSync(path.join(crypto, 'ordererOrganizations'))).to.deep.equal([ORDERER_DOMAIN]);
    expect(readdirSync(crypto).sort()).to.deep.equal(['ordererOrganizations', 'peerOrganizations']);
    const { checked, findings } = foreignKeys(all);
    // per organisation at least: CA, registrar, peer (msp + tls), admin, 5 users, chaincode server
    expect(checked).to.be.greaterThan(all.length * 8);
    expect(findings, findings.map((f) => `${f.party}: ${f.file}: ${f.problem}`).join('\n')).to.deep.equal([]);
  });

  it('runs every process of a party on its own address only', () => {
    const net = currentNetwork();
    const addressOf = new Map(parties(net).map((party) => [party.name, party.address]));
    const pidDir = path.join(net.home, 'pids');
    const nodes = readdirSync(pidDir).filter((file) => file.endsWith('.pid')).map((file) => ({
      name: file.slice(0, -'.pid'.length), pid: Number(readFileSync(path.join(pidDir, file), 'utf8').trim()),
    })).filter((node) => alive(node.pid));
    const names = nodes.map((node) => node.name);
    for (const [index] of net.orgs.entries()) {
      for (const kind of ['ca', 'peer0', 'chaincode', 'gateway']) expect(names).to.include(`${kind}.org${index + 1}`);
    }
    expect(names).to.include('ca.orderer');
    expect(names.filter((name) => /^orderer\d+$/.test(name))).to.have.length(net.orderers.length);
    const wrong: string[] = [];
    const sockets = listeningSockets();
    for (const node of nodes) {
      const expected = addressOf.get(partyOfNode(net, node.name));
      const listeners = listenersOf(node.pid, sockets);
      expect(listeners, `${node.name} listens nowhere`).to.not.be.empty;
      for (const listener of listeners) {
        if (listener.address !== expected) wrong.push(`${node.name} (pid ${node.pid}) listens on ${listener.address}:${listener.port}, not ${String(expected)}`);
      }
    }
    expect(wrong, wrong.join('\n')).to.deep.equal([]);
  });

  it('writes what a party needs to run on its own host, on its own address, and an exchange folder with no secret', async () => {
    const net = currentNetwork();
    const org2 = net.orgs[1];
    if (org2 === undefined) throw new Error('no org 2');
    await networkScript(net, 'env', '2');
    await networkScript(net, 'env', 'orderer');
    const dir = path.join(net.home, 'hosts', '2');
    const peer = envFile(path.join(dir, 'peer0.org2.env'));
    for (const key of ['CORE_PEER_LISTENADDRESS', 'CORE_PEER_CHAINCODELISTENADDRESS', 'CORE_OPERATIONS_LISTENADDRESS', 'CORE_PEER_GOSSIP_EXTERNALENDPOINT']) {
      expect(peer.get(key), key).to.match(new RegExp(`^${org2.address.replaceAll('.', '\\.')}:\\d+$`));
    }
    expect(envFile(path.join(dir, 'gateway.org2.env')).get('IL_GATEWAY_HOST')).to.equal(org2.address);
    const chaincode = readFileSync(path.join(dir, 'chaincode.org2.args'), 'utf8').split('\n');
    expect(chaincode[chaincode.indexOf('--chaincode-address') + 1]).to.match(new RegExp(`^${org2.address.replaceAll('.', '\\.')}:`));
    const ca = readFileSync(path.join(dir, 'ca.org2.args'), 'utf8').split('\n');
    expect(ca[ca.indexOf('--address') + 1]).to.equal(org2.address);
    const orderer0 = envFile(path.join(net.home, 'hosts', 'orderer', 'orderer0.env'));
    expect(orderer0.get('ORDERER_GENERAL_LISTENADDRESS')).to.equal(net.ordererAddress);
    // what the parties hand each other holds certificates and endpoints, never a private key
    for (const party of ['2', 'orderer']) {
      const exchange = path.join(net.home, 'hosts', party, 'exchange');
      const texts = readdirSync(exchange, { recursive: true, encoding: 'utf8' }).map((f) => path.join(exchange, f))
        .filter((f) => statSync(f).isFile()).map((f) => readFileSync(f, 'utf8'));
      expect(texts.join('\n')).to.contain('BEGIN CERTIFICATE').and.not.contain('PRIVATE KEY');
    }
    expect(readFileSync(path.join(net.home, 'hosts', 'orderer', 'exchange', 'endpoints.txt'), 'utf8')).to.contain(`${net.ordererAddress}:`);
  });
});
