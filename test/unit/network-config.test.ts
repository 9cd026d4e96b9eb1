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
  Organizations: { Name: string; Policies: Record<string, { Rule: string }>; AnchorPeers?: { Port: number }[] }[];
  Profiles: { ImpactChannel: {
    Orderer: { OrdererType: string; BatchTimeout: string; BatchSize: { MaxMessageCount: number };
      EtcdRaft?: { Consenters: unknown[] }; ConsenterMapping?: { ID: number }[]; SmartBFT?: { RequestBatchMaxCount: number } };
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

  it('refuse to render a template with a placeholder left without a value', () => {
    const template = path.join(mkdtempSync(path.join(tmpdir(), 'il-tmpl-')), 'x.tmpl');
    writeFileSync(template, 'a: ${A}\nb: ${B}\n');
    expect(withScripts('raft', `render_template ${template} A=1 B='x & y'`)).to.equal('a: 1\nb: x & y\n');
    const result = spawnSync('bash', ['-c', `source scripts/lib/common.sh; render_template ${template} A=1`], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status).to.not.equal(0);
    expect(result.stderr).to.contain('no value for ${B}');
  });
});

describe('docker-compose.yaml', () => {
  const compose = parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { image?: string; profiles?: string[]; environment?: Record<string, unknown> }>;
  };

  function nativeNodes(consensus: string): string[] {
    const home = mkdtempSync(path.join(tmpdir(), 'il-nodes-'));
    mkdirSync(home, { recursive: true });
    const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'network.sh'), 'nodes'], {
      env: { ...process.env, IL_HOME: home, CONSENSUS: consensus },
      encoding: 'utf8',
    });
    return out.trim().split('\n');
  }

  for (const consensus of ['raft', 'bft']) {
    it(`names every node the native ${consensus} network runs`, () => {
      const nodes = nativeNodes(consensus);
      expect(nodes.length).to.be.greaterThan(6);
      for (const node of nodes) expect(Object.keys(compose.services), node).to.include(node);
    });
  }

  it('gives orderers and peers the settings of network/nodes/*.env.tmpl, no more and no fewer', () => {
    const templateKeys = (file: string): string[] => readFileSync(path.join(REPO_ROOT, 'network', 'nodes', file), 'utf8')
      .split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#')).map((line) => line.split('=')[0] ?? '').sort();
    const composeKeys = (service: string): string[] => Object.keys(compose.services[service]?.environment ?? {}).sort();
    expect(composeKeys('orderer0')).to.deep.equal(templateKeys('orderer.env.tmpl'));
    expect(composeKeys('peer0.org1')).to.deep.equal(templateKeys('peer.env.tmpl'));
  });

  it('runs the official Fabric 3.1.1 images for orderers and peers, Fabric CA 1.5.15 for the CAs', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (name.startsWith('orderer')) expect(service.image).to.equal('hyperledger/fabric-orderer:3.1.1');
      if (name.startsWith('peer')) expect(service.image).to.equal('hyperledger/fabric-peer:3.1.1');
      if (name.startsWith('ca.')) expect(service.image).to.equal('hyperledger/fabric-ca:1.5.15');
    }
    expect(existsSync(path.join(REPO_ROOT, 'network', 'builders', 'ccaas', 'bin', 'release'))).to.equal(true);
  });
});
