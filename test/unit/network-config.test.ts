/**
 * The network's own pieces that need no running Fabric: the CCaaS external builder scripts, the
 * channel configuration and node settings templates (network/configtx, network/nodes) as the
 * scripts fill them, and docker-compose.yaml's agreement with the native topology.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/network';

const builder = path.join(REPO_ROOT, 'network', 'builders', 'ccaas', 'bin');

function runBuilder(step: string, ...args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(path.join(builder, step), args, { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'il-builder-'));
}

describe('ccaas external builder', () => {
  it('detects only packages whose metadata type is ccaas', () => {
    const meta = tempDir();
    writeFileSync(path.join(meta, 'metadata.json'), '{ "type" : "ccaas", "label": "impact_1.0" }');
    expect(runBuilder('detect', tempDir(), meta).status).to.equal(0);
    writeFileSync(path.join(meta, 'metadata.json'), '{"type":"node","label":"impact_1.0"}');
    expect(runBuilder('detect', tempDir(), meta).status).to.not.equal(0);
    expect(runBuilder('detect', tempDir(), tempDir()).status, 'no metadata.json').to.not.equal(0);
  });

  it('builds and releases connection.json where the peer looks for it', () => {
    const src = tempDir();
    const out = tempDir();
    const rel = tempDir();
    const connection = '{"address":"127.0.0.1:7054","dial_timeout":"10s","tls_required":false}';
    writeFileSync(path.join(src, 'connection.json'), connection);
    expect(runBuilder('build', src, tempDir(), out).status).to.equal(0);
    expect(runBuilder('release', out, rel).status).to.equal(0);
    expect(readFileSync(path.join(rel, 'chaincode', 'server', 'connection.json'), 'utf8')).to.equal(connection);
  });

  it('refuses a package without a usable connection.json, saying why', () => {
    const src = tempDir();
    const missing = runBuilder('build', src, tempDir(), tempDir());
    expect(missing.status).to.not.equal(0);
    expect(missing.stderr).to.contain('connection.json is missing');
    writeFileSync(path.join(src, 'connection.json'), '{"dial_timeout":"10s"}');
    const noAddress = runBuilder('build', src, tempDir(), tempDir());
    expect(noAddress.status).to.not.equal(0);
    expect(noAddress.stderr).to.contain('no "address"');
  });
});

/** Runs bash with the scripts' libraries sourced, for a network of `consensus` in a fresh IL_HOME. */
function withScripts(consensus: string, command: string, env: NodeJS.ProcessEnv = {}): string {
  const home = mkdtempSync(path.join(tmpdir(), 'il-config-'));
  const libs = ['common', 'fabric', 'topology', 'nodes', 'channel'].map((lib) => `source scripts/lib/${lib}.sh;`).join(' ');
  return execFileSync('bash', ['-c', `${libs} ${command}`], {
    cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, IL_HOME: home, CONSENSUS: consensus, ...env },
  });
}

interface ConfigTx {
  Organizations: { Name: string; Policies: Record<string, { Rule: string }>; AnchorPeers?: { Host: string; Port: number }[]; OrdererEndpoints?: string[] }[];
  Profiles: { ImpactChannel: {
    Orderer: { OrdererType: string; BatchTimeout: string; BatchSize: { MaxMessageCount: number };
      EtcdRaft?: { Consenters: { Host: string }[] }; ConsenterMapping?: { ID: number; Host: string }[]; SmartBFT?: { RequestBatchMaxCount: number } };
    Application: { Organizations: { Name: string }[]; Policies: Record<string, { Rule: string }> };
  } };
}

describe('network/configtx templates', () => {
  function configtx(consensus: string, env: NodeJS.ProcessEnv = {}): ConfigTx {
    const dir = mkdtempSync(path.join(tmpdir(), 'il-configtx-'));
    withScripts(consensus, `write_configtx ${dir}`, env);
    return parse(readFileSync(path.join(dir, 'configtx.yaml'), 'utf8'), { merge: true }) as ConfigTx;
  }

  it('fill into a Raft channel of three operators with MAJORITY endorsement and the batch settings asked for', () => {
    const profile = configtx('raft', { IL_BATCH_TIMEOUT: '250ms', IL_BATCH_MAX_MESSAGES: '42', IL_PORT_OFFSET: '100' }).Profiles.ImpactChannel;
    expect(profile.Orderer.OrdererType).to.equal('etcdraft');
    expect(profile.Orderer.EtcdRaft?.Consenters).to.have.length(3);
    expect(profile.Orderer.BatchTimeout).to.equal('250ms');
    expect(profile.Orderer.BatchSize.MaxMessageCount).to.equal(42);
    expect(profile.Application.Organizations.map((o) => o.Name)).to.deep.equal(['Org1MSP', 'Org2MSP', 'Org3MSP']);
    expect(profile.Application.Policies.Endorsement?.Rule).to.equal('MAJORITY Endorsement');
    expect(profile.Application.Policies.Admins?.Rule).to.equal('MAJORITY Admins');
  });

  it('fill into a BFT channel of four consenters, each organisation with its own policies and anchor peer', () => {
    const config = configtx('bft', { IL_PORT_OFFSET: '200' });
    const orderer = config.Profiles.ImpactChannel.Orderer;
    expect(orderer.OrdererType).to.equal('BFT');
    expect(orderer.ConsenterMapping?.map((c) => c.ID)).to.deep.equal([1, 2, 3, 4]);
    expect(orderer.SmartBFT?.RequestBatchMaxCount).to.equal(100);
    const org2 = config.Organizations.find((o) => o.Name === 'Org2MSP');
    expect(org2?.Policies.Admins?.Rule).to.equal("OR('Org2MSP.admin')");
    expect(org2?.AnchorPeers?.[0]?.Port).to.equal(8051 + 200);
  });

  it('name each organisation\'s anchor peer and every orderer by its own party\'s address', () => {
    for (const consensus of ['raft', 'bft']) {
      const config = configtx(consensus);
      const [orderers, org1, org2, org3] = withScripts(consensus, 'orderer_address; org_address 1; org_address 2; org_address 3').trim().split('\n');
      expect(new Set([orderers, org1, org2, org3]).size).to.equal(4);
      expect(config.Organizations.find((o) => o.Name === 'Org1MSP')?.AnchorPeers?.[0]?.Host).to.equal(org1);
      expect(config.Organizations.find((o) => o.Name === 'Org2MSP')?.AnchorPeers?.[0]?.Host).to.equal(org2);
      expect(config.Organizations.find((o) => o.Name === 'Org3MSP')?.AnchorPeers?.[0]?.Host).to.equal(org3);
      const endpoints = config.Organizations.find((o) => o.Name === 'OrdererOrg')?.OrdererEndpoints ?? [];
      expect(endpoints).to.have.length(consensus === 'bft' ? 4 : 3);
      for (const endpoint of endpoints) expect(endpoint.startsWith(`${orderers}:`), endpoint).to.equal(true);
      const orderer = config.Profiles.ImpactChannel.Orderer;
      for (const consenter of orderer.EtcdRaft?.Consenters ?? orderer.ConsenterMapping ?? []) expect(consenter.Host).to.equal(orderers);
    }
  });

  it('refuse to render a template with a placeholder left without a value', () => {
    const template = path.join(mkdtempSync(path.join(tmpdir(), 'il-tmpl-')), 'x.tmpl');
    writeFileSync(template, 'a: ${A}\nb: ${B}\n');
    expect(withScripts('raft', `render_template ${template} A=1 B='x & y'`)).to.equal('a: 1\nb: x & y\n');
    const result = spawnSync('bash', ['-c', `source scripts/lib/common.sh; render_template ${template} A=1`], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.contain('no value for ${B}');
  });
});

/** A compose service as these tests read it, after `extends:` (paths made absolute). */
interface ComposeService {
  image?: string | undefined; profiles?: string[] | undefined; environment: Record<string, unknown>; ports: string[];
  /** Host side of every bind mount and env_file, absolute. */
  hostPaths: string[];
}

/** Loads a compose file's services, resolving `extends: {file, service}` the way Compose does. */
function composeServices(file: string): Record<string, ComposeService> {
  type Raw = { image?: string; profiles?: string[]; environment?: Record<string, unknown>; ports?: string[]; volumes?: string[];
    env_file?: string; extends?: { file: string; service: string } };
  const raw = (f: string): Record<string, Raw> => (parse(readFileSync(f, 'utf8')) as { services: Record<string, Raw> }).services;
  const resolve = (f: string, name: string): ComposeService => {
    const service = raw(f)[name];
    if (service === undefined) throw new Error(`${f} has no service ${name}`);
    const base: ComposeService = service.extends
      ? resolve(path.resolve(path.dirname(f), service.extends.file), service.extends.service)
      : { environment: {}, ports: [], hostPaths: [] };
    const binds = (service.volumes ?? []).map((volume) => volume.split(':')[0] ?? '').filter((source) => source.startsWith('.') || source.startsWith('/'));
    return {
      image: service.image ?? base.image,
      profiles: service.profiles ?? base.profiles,
      environment: { ...base.environment, ...service.environment },
      ports: [...base.ports, ...(service.ports ?? [])],
      hostPaths: [...base.hostPaths, ...[...binds, ...(service.env_file ? [service.env_file] : [])].map((p) => path.resolve(path.dirname(f), p))],
    };
  };
  return Object.fromEntries(Object.keys(raw(file)).map((name) => [name, resolve(file, name)]));
}

describe('docker-compose.yaml and the per-party files of network/compose', () => {
  const root = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yaml'), 'utf8')) as { include?: string[] };
  const parties = ['orderer', '1', '2', '3'];
  const partyFile = (party: string): string => path.join(REPO_ROOT, 'network', 'compose', party === 'orderer' ? 'orderer.yaml' : `org${party}.yaml`);
  const perParty = new Map(parties.map((party) => [party, composeServices(partyFile(party))]));
  const services: Record<string, ComposeService> = Object.assign({}, ...perParty.values());
  /** The address topology.sh gives a party's nodes. */
  const addressOf = (party: string): string =>
    withScripts('raft', party === 'orderer' ? 'orderer_address' : `org_address ${party}`).trim();

  function nativeNodes(consensus: string): string[] {
    const home = mkdtempSync(path.join(tmpdir(), 'il-nodes-'));
    mkdirSync(home, { recursive: true });
    const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), 'nodes'], {
      env: { ...process.env, IL_HOME: home, CONSENSUS: consensus },
      encoding: 'utf8',
    });
    return out.trim().split('\n');
  }

  it('includes one file per party, the ordering organisation\'s and each organisation\'s', () => {
    expect(root.include).to.deep.equal(parties.map((party) => path.relative(REPO_ROOT, partyFile(party))));
  });

  for (const consensus of ['raft', 'bft']) {
    it(`names every node the native ${consensus} network runs, each in its party's file`, () => {
      const nodes = nativeNodes(consensus);
      expect(nodes.length).to.be.greaterThan(6);
      for (const node of nodes) {
        const party = /\.org(\d+)$/.exec(node)?.[1] ?? 'orderer';
        expect(Object.keys(perParty.get(party) ?? {}), `${node} in ${partyFile(party)}`).to.include(node);
      }
    });
  }

  it('keeps each party to its own nodes, its own address and its own folders of the generated material', () => {
    const generated = path.join(REPO_ROOT, 'network', 'docker');
    const shared = ['network.json', 'chaincode.env', 'gateway/network-secret.env'].map((p) => path.join(generated, p));
    for (const party of parties) {
      const own = party === 'orderer'
        ? [path.join(generated, 'crypto', 'ordererOrganizations', 'orderer.impact.local')]
        : [path.join(generated, 'crypto', 'peerOrganizations', `org${party}.impact.local`), path.join(generated, 'chaincode', `org${party}`),
            path.join(generated, 'gateway', `org${party}`)];
      const address = addressOf(party);
      expect(address).to.match(/^127\./).and.not.equal('127.0.0.1');
      for (const [name, service] of Object.entries(perParty.get(party) ?? {})) {
        expect(party === 'orderer' ? /^(orderer\d+|ca\.orderer)$/.test(name) : name.endsWith(`.org${party}`), `${name} in ${partyFile(party)}`).to.equal(true);
        // the chaincode server is reached only by its own peer, on the compose network
        if (!name.startsWith('chaincode.')) expect(service.ports, name).to.not.be.empty;
        for (const port of service.ports) expect(port.startsWith(`${address}:`), `${name} publishes ${port}`).to.equal(true);
        for (const source of service.hostPaths) {
          expect(source, `${name} mounts the repository or the generated material whole`).to.not.be.oneOf([REPO_ROOT, generated, path.join(generated, 'crypto')]);
          if (!source.startsWith(`${generated}/`) || shared.includes(source)) continue;
          expect(own.some((folder) => source === folder || source.startsWith(`${folder}/`)), `${name} mounts ${source}`).to.equal(true);
        }
      }
    }
  });

  it('gives orderers and peers the settings of network/nodes/*.env.tmpl, no more and no fewer', () => {
    const templateKeys = (file: string): string[] => readFileSync(path.join(REPO_ROOT, 'network', 'nodes', file), 'utf8')
      .split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => line.split('=')[0] ?? '').sort();
    const composeKeys = (service: string): string[] => Object.keys(services[service]?.environment ?? {}).sort();
    for (const orderer of ['orderer0', 'orderer3']) expect(composeKeys(orderer)).to.deep.equal(templateKeys('orderer.env.tmpl'));
    for (const peer of ['peer0.org1', 'peer0.org2', 'peer0.org3']) expect(composeKeys(peer)).to.deep.equal(templateKeys('peer.env.tmpl'));
    expect(services.orderer3?.profiles).to.deep.equal(['bft']);
  });

  it('runs the official Fabric 3.1.1 images for orderers and peers, Fabric CA 1.5.15 for the CAs', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name.startsWith('orderer')) expect(service.image).to.equal('hyperledger/fabric-orderer:3.1.1');
      if (name.startsWith('peer')) expect(service.image).to.equal('hyperledger/fabric-peer:3.1.1');
      if (name.startsWith('ca.')) expect(service.image).to.equal('hyperledger/fabric-ca:1.5.15');
    }
    expect(existsSync(path.join(REPO_ROOT, 'network', 'builders', 'ccaas', 'bin', 'release'))).to.equal(true);
  });
});
