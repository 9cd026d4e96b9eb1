/**
 * Prometheus metrics of one gateway: HTTP requests by route and status, Fabric submit and commit
 * latencies, the peer in use and the peers down, credential check outcomes and latency. One
 * registry per app, so tests can build many apps.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's metrics. */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly fabricSubmit: Histogram;
  readonly fabricCommit: Histogram;
  /** 1 for the peer the gateway's calls go to, 0 for the others. */
  readonly fabricPeerInUse: Gauge<'peer'>;
  /** 1 for each peer the gateway holds down (failed over from, probed until it answers). */
  readonly fabricPeerDown: Gauge<'peer'>;
  /** Changes of the peer in use (failovers and returns) by the peer switched to. */
  readonly fabricPeerSwitches: Counter<'to'>;
  readonly credentialChecks: Counter<'outcome'>;
  readonly credentialCheckDuration: Histogram;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A fresh registry with the gateway's metrics (and Node's default process metrics). */
export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({ name: 'il_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    httpDuration: new Histogram({ name: 'il_http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    fabricSubmit: new Histogram({ name: 'il_fabric_submit_seconds', help: 'Endorsement and submission to the orderer', buckets: LATENCY_BUCKETS, registers: [registry] }),
    fabricCommit: new Histogram({ name: 'il_fabric_commit_seconds', help: 'Wait for the commit status after submission', buckets: LATENCY_BUCKETS, registers: [registry] }),
    fabricPeerInUse: new Gauge({ name: 'il_fabric_peer_in_use', help: "1 for the peer the gateway's Fabric calls go to (its own organisation's unless failed over), 0 for the others", labelNames: ['peer'], registers: [registry] }),
    fabricPeerDown: new Gauge({ name: 'il_fabric_peer_down', help: 'Peers the gateway holds down (probed until they answer again)', labelNames: ['peer'], registers: [registry] }),
    fabricPeerSwitches: new Counter({ name: 'il_fabric_peer_switches_total', help: 'Changes of the peer in use (failovers and returns to the own peer), by the peer switched to', labelNames: ['to'], registers: [registry] }),
    credentialChecks: new Counter({ name: 'il_credential_checks_total', help: 'Credential checks by outcome (accepted or the refusal code)', labelNames: ['outcome'], registers: [registry] }),
    credentialCheckDuration: new Histogram({ name: 'il_credential_check_seconds', help: 'Credential check latency, waiting for a worker thread included', buckets: LATENCY_BUCKETS, registers: [registry] }),
  };
}
