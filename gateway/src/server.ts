/**
 * Process start and stop of one gateway: loads the configuration, opens the services, listens,
 * and on SIGTERM/SIGINT stops accepting requests, lets running ones finish, then closes Fabric.
 * Run as `node gateway/dist/server.js` (see gateway/README.md for the environment).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp } from './app.js';
import { createAuthenticator } from './auth.js';
import { ConfigError, loadApiKeys, loadConfig, type GatewayConfig } from './config.js';
import { createStaticDocumentLoader } from '@impact-ledger/credentials';
import { loadOrCreateCertificateKey } from './certificates/issuer-key.js';
import { inlineChecker, threadPoolChecker } from './credentials/checker.js';
import { createEventFeed } from './fabric/event-feed.js';
import { openLedger, type LedgerObserver } from './fabric/ledger.js';
import { loadOrgNetwork } from './fabric/network-info.js';
import { openIdempotencyStore } from './idempotency.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { loadCustody } from './signing/custody.js';
import { createSigningSessions } from './signing/sessions.js';
import type { GatewayServices, TypedApp } from './routes/context.js';
import { chaincodeClient, ledgerTransport } from './fabric/chaincode-client.js';
import { startSettlementWorker, type SettlementWorker, type WorkerOutcome } from './settlement/worker.js';

/** A running gateway. */
export interface RunningGateway {
  readonly app: TypedApp;
  /** Base URL, e.g. `http://127.0.0.1:3001`. */
  readonly url: string;
  /** Stops listening, waits for running requests, closes Fabric and the journals. */
  close(): Promise<void>;
}

/** Options of {@link startGateway}. */
export interface StartOptions {
  /** Fastify logging (default: JSON logs at the configured level). */
  readonly logger?: boolean;
  /** The clock credentials are judged against (tests). */
  readonly now?: () => Date;
  /** Hears of each proof the settlement worker handled (tests, measurements). */
  readonly onSettlement?: (outcome: WorkerOutcome) => void;
}

/** Where the services log before the app's logger exists (then: the app's JSON logger). */
interface ServiceLog { warn(object: object, message: string): void; info(object: object, message: string): void }

/** Shows the peers' state in the metrics, and logs a failover or a return to the own peer. */
function peerReporter(metrics: GatewayMetrics, log: () => ServiceLog): NonNullable<LedgerObserver['onPeers']> {
  return (state, change) => {
    for (const peer of state.peers) {
      metrics.fabricPeerInUse.set({ peer: peer.name }, peer.name === state.inUse ? 1 : 0);
      metrics.fabricPeerDown.set({ peer: peer.name }, peer.down ? 1 : 0);
    }
    if (change === undefined) return;
    metrics.fabricPeerSwitches.inc({ to: change.to });
    const fields = { from: change.from, to: change.to, down: state.peers.filter((p) => p.down).map((p) => p.name), ...(change.reason === undefined ? {} : { reason: change.reason }) };
    if (change.backToOwn) log().info(fields, `back on its own peer ${change.to}`);
    else log().warn(fields, `peer ${change.from} is down: failing over to ${change.to}`);
  };
}

function openServices(config: GatewayConfig, options: StartOptions, log: () => ServiceLog): GatewayServices {
  const org = loadOrgNetwork(config.networkJson, config.mspId);
  if (config.settlementUser !== undefined && !org.users.has(config.settlementUser)) {
    throw new ConfigError([`/settlementUser: ${config.settlementUser} is not a user of ${config.mspId} in ${config.networkJson} (IL_GATEWAY_SETTLEMENT_USER)`]);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const documentLoader = createStaticDocumentLoader();
  const metrics = createMetrics();
  const apiKeys = loadApiKeys(config.apiKeysFile);
  // the gateway reads the private keys of its declared custodial users only (and its Admin's)
  // and the settlement worker's account, which the operator declares by naming it (IL_GATEWAY_SETTLEMENT_USER)
  const custody = loadCustody(apiKeys, org, config.settlementUser === undefined ? [] : [config.settlementUser]);
  const ledger = openLedger(org, config, {
    onSubmitted: (timings) => {
      metrics.fabricSubmit.observe(timings.endorseAndSubmitSeconds);
      metrics.fabricCommit.observe(timings.commitSeconds);
    },
    onPeers: peerReporter(metrics, log),
  }, custody);
  return {
    mspId: config.mspId,
    ledger,
    authenticator: createAuthenticator(apiKeys),
    idempotency: openIdempotencyStore(config.dataDir, { retentionMs: config.idempotencyRetentionHours * 3600_000 }),
    events: createEventFeed(ledger, config.dataDir, { warn: (o, m) => console.warn(`${m} ${JSON.stringify(o)}`), info: () => undefined }),
    metrics,
    credentials: {
      checker: config.credentialCheckThreads > 0
        ? threadPoolChecker({ threads: config.credentialCheckThreads, maxBytes: config.maxCredentialBytes })
        : inlineChecker({ documentLoader, maxBytes: config.maxCredentialBytes }),
      precheck: config.credentialPrecheck,
      documentLoader,
      now: options.now ?? (() => new Date()),
      networkSecret: config.networkSecret,
    },
    signing: { custody, sessions: createSigningSessions(), readAs: org.admin.name, maxSubmitAttempts: config.maxSubmitAttempts },
  };
}

/** HTTPS options: the server's certificate, and when a client CA is set, client certificates asked for. */
function httpsOptions(tls: NonNullable<GatewayConfig['tls']>): HttpsServerOptions {
  const clientCa = tls.clientCaFile === undefined ? undefined : readFileSync(tls.clientCaFile);
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(clientCa !== undefined ? { ca: clientCa, requestCert: true, rejectUnauthorized: tls.requireClientCertificate } : {}),
    minVersion: 'TLSv1.2',
  };
}

/** The settlement worker of campaigns in automatic mode, when `settlementUser` names its identity. */
function settlementWorker(config: GatewayConfig, services: GatewayServices, options: StartOptions): SettlementWorker | undefined {
  const user = config.settlementUser;
  if (user === undefined) return undefined;
  return startSettlementWorker({
    chaincode: chaincodeClient(ledgerTransport(services.ledger, user)),
    feed: services.events,
    dataDir: config.dataDir,
    logger: { info: (o, m) => console.log(`${m} ${JSON.stringify(o)}`), warn: (o, m) => console.warn(`${m} ${JSON.stringify(o)}`) },
    ...(options.onSettlement !== undefined ? { onOutcome: options.onSettlement } : {}),
  });
}

/** Opens the services of `config`, starts the event feed (and the settlement worker) and listens. */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const certificateKey = await loadOrCreateCertificateKey(config.dataDir, config.mspId);
  let listening = '';
  let log: ServiceLog = { warn: (o, m) => console.warn(`${m} ${JSON.stringify(o)}`), info: (o, m) => console.log(`${m} ${JSON.stringify(o)}`) };
  const services: GatewayServices = {
    ...openServices(config, options, () => log),
    certificates: { key: certificateKey, publicUrl: () => config.publicUrl ?? listening },
  };
  const app = await buildApp(services, {
    logger: options.logger === false ? false : { level: config.logLevel },
    connections: config.connections,
    ...(config.tls !== undefined ? { https: httpsOptions(config.tls) } : {}),
  });
  log = app.log;
  services.events.start();
  const worker = settlementWorker(config, services, options);
  const url = await app.listen({ host: config.host, port: config.port });
  listening = url;
  return {
    app,
    url,
    close: async () => {
      await worker?.close();
      services.events.close();
      services.signing?.sessions.close();
      await app.close();
      services.idempotency.close();
      services.ledger.close();
      await services.credentials.checker.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const gateway = await startGateway(config);
  console.log(`impact-ledger gateway for ${config.mspId} listening on ${gateway.url}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the gateway`);
    gateway.close().then(() => process.exit(0), (error: unknown) => {
      console.error('error while stopping', error);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
