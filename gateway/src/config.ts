/**
 * Typed configuration of one gateway process (one organisation), from an optional JSON file
 * (`IL_GATEWAY_CONFIG`) overlaid by environment variables, validated at start. Every problem is
 * reported at once, with the variable or field to fix.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DEFAULT_CHECK_THREADS, DEFAULT_CREDENTIAL_PRECHECK } from './credentials/checker.js';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS } from './idempotency.js';
import { DEFAULT_CONNECTION_LIMITS } from './connections.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Deadlines of Fabric calls, in milliseconds. */
const DeadlinesSchema = Type.Object({
  evaluateMs: Type.Integer({ minimum: 100 }),
  endorseMs: Type.Integer({ minimum: 100 }),
  submitMs: Type.Integer({ minimum: 100 }),
  commitStatusMs: Type.Integer({ minimum: 100 }),
  readyMs: Type.Integer({ minimum: 100 }),
  /** How long a request with Min-Block-Number waits for the peer to reach that block (0: 412 at once). */
  minBlockWaitMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
});

/**
 * Limits of the HTTP server's connections. The request timeout bounds receiving a request (headers
 * and body), not answering it: a server-sent events stream lives on once its request is received.
 */
const ConnectionsSchema = Type.Object({
  /** Receiving one whole request (headers and body); a slower client gets 408 and is disconnected. */
  requestTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /** Receiving a request's headers (at most the request timeout). */
  headersTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /** How long an idle kept-alive connection stays open between requests. */
  keepAliveTimeoutMs: Type.Integer({ minimum: 100, maximum: 600_000 }),
  /** Concurrent connections of one client IP; more are closed at once (behind a proxy: the proxy's IP). */
  maxPerIp: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
});

/** Limits of the HTTP server's connections. */
export type ConnectionLimits = Static<typeof ConnectionsSchema>;

/** HTTPS, and client certificates as a way to authenticate (mutual TLS). */
const TlsSchema = Type.Object({
  certFile: Type.String({ minLength: 1 }),
  keyFile: Type.String({ minLength: 1 }),
  /** The CA(s) that issue client certificates; without it, no client certificate is asked for. */
  clientCaFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Refuse connections without a valid client certificate (bearer tokens then only add nothing). */
  requireClientCertificate: Type.Boolean(),
});

const ConfigSchema = Type.Object({
  mspId: Type.String({ pattern: '^[A-Za-z0-9.-]+$' }),
  networkJson: Type.String({ minLength: 1 }),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  apiKeysFile: Type.String({ minLength: 1 }),
  dataDir: Type.String({ minLength: 1 }),
  networkSecret: Type.String({ minLength: 16 }),
  maxCredentialBytes: Type.Integer({ minimum: 1024 }),
  maxSubmitAttempts: Type.Integer({ minimum: 1, maximum: 10 }),
  /** How long a settled Idempotency-Key is kept (hours); a retry after that is a new request. */
  idempotencyRetentionHours: Type.Number({ exclusiveMinimum: 0, maximum: 8760 }),
  /** Worker threads for credential checks; 0 runs them on the event loop. */
  credentialCheckThreads: Type.Integer({ minimum: 0, maximum: 64 }),
  /**
   * What the gateway checks of a credential before submitting its claim (the endorsing peers
   * always check it all): `screen`, the steps without JSON-LD processing or signature; `full`,
   * all of them.
   */
  credentialPrecheck: Type.Union([Type.Literal('screen'), Type.Literal('full')]),
  deadlines: DeadlinesSchema,
  connections: ConnectionsSchema,
  tls: Type.Optional(TlsSchema),
  /** Base URL clients reach this gateway at (links in retirement certificates); default: the URL it listens on. */
  publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+[^/\\s]$' })),
  /**
   * The user (network.json name) the settlement worker signs as: the funder's service account,
   * which the operator declares custodial. Unset: no worker (campaigns in automatic mode wait).
   */
  settlementUser: Type.Optional(Type.String({ minLength: 1 })),
  logLevel: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('silent')]),
});

/** The validated configuration of one gateway. */
export type GatewayConfig = Static<typeof ConfigSchema>;

/**
 * Who signs the caller's transactions (docs/trust-model.md): `gateway` (custodial: the gateway
 * holds the user's key; only for service accounts the operator declares) or `client` (the
 * default: the caller signs each step itself, the gateway knows only its certificate). A client
 * user may be of another organisation: its entry then names its `mspId` and its certificate.
 */
const SigningFields = {
  custody: Type.Optional(Type.Union([Type.Literal('gateway'), Type.Literal('client')])),
  certificate: Type.Optional(Type.String({ minLength: 1, description: 'the user\'s enrolment certificate (PEM), for a user this gateway does not find in network.json' })),
  certificatePath: Type.Optional(Type.String({ minLength: 1, description: 'a file holding the user\'s enrolment certificate (PEM)' })),
  mspId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9.-]+$', description: 'the MSP of the user (default: this gateway\'s)' })),
};

const ApiKeysSchema = Type.Object({
  keys: Type.Array(Type.Union([
    Type.Object({
      sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 hex of a bearer token' }),
      user: Type.String({ minLength: 1 }),
      label: Type.Optional(Type.String()),
      ...SigningFields,
    }, { additionalProperties: false }),
    Type.Object({
      certSha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'sha256 hex of a client certificate (DER)' }),
      user: Type.String({ minLength: 1 }),
      label: Type.Optional(Type.String()),
      ...SigningFields,
    }, { additionalProperties: false }),
  ])),
});

/**
 * One API key: the sha256 of a bearer token, or of a client certificate (mutual TLS), the
 * network.json user it acts as, and who signs that user's transactions (`custody`).
 */
export type ApiKey = Static<typeof ApiKeysSchema>['keys'][number];

/** A configuration that cannot work: every problem found, one a line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/** `IL_GATEWAY_*` variables of the connection limits (numbers). */
const CONNECTIONS_ENV = {
  IL_GATEWAY_REQUEST_TIMEOUT_MS: 'requestTimeoutMs',
  IL_GATEWAY_HEADERS_TIMEOUT_MS: 'headersTimeoutMs',
  IL_GATEWAY_KEEP_ALIVE_TIMEOUT_MS: 'keepAliveTimeoutMs',
  IL_GATEWAY_MAX_CONNECTIONS_PER_IP: 'maxPerIp',
} as const;

const DEFAULT_DEADLINES = { evaluateMs: 10_000, endorseMs: 20_000, submitMs: 10_000, commitStatusMs: 60_000, readyMs: 2_000, minBlockWaitMs: 5_000 };

/** Which environment variable sets which field (documented in gateway/README.md). */
const ENV_FIELDS = {
  IL_GATEWAY_MSP_ID: 'mspId',
  IL_NETWORK_JSON: 'networkJson',
  IL_GATEWAY_HOST: 'host',
  IL_GATEWAY_PORT: 'port',
  IL_GATEWAY_API_KEYS: 'apiKeysFile',
  IL_GATEWAY_DATA_DIR: 'dataDir',
  IL_NETWORK_SECRET: 'networkSecret',
  IL_GATEWAY_LOG_LEVEL: 'logLevel',
  IL_GATEWAY_CHECK_THREADS: 'credentialCheckThreads',
  IL_GATEWAY_CREDENTIAL_PRECHECK: 'credentialPrecheck',
  IL_GATEWAY_IDEMPOTENCY_RETENTION_HOURS: 'idempotencyRetentionHours',
  IL_GATEWAY_PUBLIC_URL: 'publicUrl',
  IL_GATEWAY_SETTLEMENT_USER: 'settlementUser',
} as const;

const NUMERIC_FIELDS = new Set<string>(['port', 'credentialCheckThreads', 'idempotencyRetentionHours']);

/** The default port of the gateway of org N (`Org<N>MSP`): 3000 + N. */
function defaultPort(mspId: unknown): number {
  const match = typeof mspId === 'string' ? /^Org(\d+)MSP$/.exec(mspId) : null;
  return match ? 3000 + Number(match[1]) : 3000;
}

function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`${what} ${file} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

/** `IL_GATEWAY_TLS_*`: HTTPS with an optional client CA (mutual TLS). */
const TLS_ENV = {
  IL_GATEWAY_TLS_CERT: 'certFile',
  IL_GATEWAY_TLS_KEY: 'keyFile',
  IL_GATEWAY_TLS_CLIENT_CA: 'clientCaFile',
  IL_GATEWAY_TLS_REQUIRE_CLIENT_CERT: 'requireClientCertificate',
} as const;

function tlsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const tls: Record<string, unknown> = {};
  for (const [variable, field] of Object.entries(TLS_ENV)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    tls[field] = field === 'requireClientCertificate' ? ['1', 'true', 'yes'].includes(value.toLowerCase()) : value;
  }
  return Object.keys(tls).length === 0 ? undefined : tls;
}

function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const tls = tlsFromEnv(env);
  if (tls !== undefined) fields.tls = tls;
  for (const [variable, field] of Object.entries(ENV_FIELDS)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    fields[field] = NUMERIC_FIELDS.has(field) ? Number(value) : value;
  }
  const connections: Record<string, number> = {};
  for (const [variable, field] of Object.entries(CONNECTIONS_ENV)) {
    const value = env[variable];
    if (value !== undefined && value !== '') connections[field] = Number(value);
  }
  if (Object.keys(connections).length > 0) fields.connections = connections;
  const minBlockWait = env.IL_GATEWAY_MIN_BLOCK_WAIT_MS;
  if (minBlockWait !== undefined && minBlockWait !== '') fields.deadlines = { minBlockWaitMs: Number(minBlockWait) };
  return fields;
}

function fromFile(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const file = env.IL_GATEWAY_CONFIG;
  if (file === undefined || file === '') return {};
  const parsed = readJsonFile(file, 'IL_GATEWAY_CONFIG');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError([`IL_GATEWAY_CONFIG ${file} must hold a JSON object`]);
  return { ...parsed };
}

function withDefaults(fields: Record<string, unknown>): Record<string, unknown> {
  const deadlines = typeof fields.deadlines === 'object' && fields.deadlines !== null ? fields.deadlines : {};
  const connections = typeof fields.connections === 'object' && fields.connections !== null ? fields.connections : {};
  const tls = typeof fields.tls === 'object' && fields.tls !== null ? { requireClientCertificate: false, ...fields.tls } : undefined;
  return {
    host: '127.0.0.1',
    port: defaultPort(fields.mspId),
    maxCredentialBytes: 64 * 1024,
    maxSubmitAttempts: 4,
    credentialCheckThreads: DEFAULT_CHECK_THREADS,
    credentialPrecheck: DEFAULT_CREDENTIAL_PRECHECK,
    idempotencyRetentionHours: DEFAULT_IDEMPOTENCY_RETENTION_MS / 3600_000,
    logLevel: 'info',
    ...fields,
    deadlines: { ...DEFAULT_DEADLINES, ...deadlines },
    connections: { ...DEFAULT_CONNECTION_LIMITS, ...connections },
    ...(tls !== undefined ? { tls } : {}),
  };
}

/**
 * Loads and validates the configuration: the JSON file named by `IL_GATEWAY_CONFIG` (if any),
 * then the `IL_*` variables over it, then defaults (host 127.0.0.1, port 3000 + org number).
 * Relative paths are resolved against the working directory. Throws a {@link ConfigError}
 * listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const file = fromFile(env);
  const overrides = fromEnv(env);
  const tlsFields = [file.tls, overrides.tls].filter((t): t is object => typeof t === 'object' && t !== null);
  const deadlineFields = [file.deadlines, overrides.deadlines].filter((d): d is object => typeof d === 'object' && d !== null);
  const connectionFields = [file.connections, overrides.connections].filter((c): c is object => typeof c === 'object' && c !== null);
  const merged = {
    ...file, ...overrides,
    ...(connectionFields.length > 0 ? { connections: Object.assign({}, ...connectionFields) as unknown } : {}),
    ...(tlsFields.length > 0 ? { tls: Object.assign({}, ...tlsFields) as unknown } : {}),
    ...(deadlineFields.length > 0 ? { deadlines: Object.assign({}, ...deadlineFields) as unknown } : {}),
  };
  const candidate = withDefaults(merged);
  const problems = [...Value.Errors(ConfigSchema, candidate)].map((error) => `${error.path || '/'}: ${error.message}${describeSource(error.path)}`);
  if (problems.length > 0 || !Value.Check(ConfigSchema, candidate)) throw new ConfigError(problems);
  if (candidate.connections.headersTimeoutMs > candidate.connections.requestTimeoutMs) {
    throw new ConfigError([`/connections/headersTimeoutMs: must not exceed the request timeout (${candidate.connections.requestTimeoutMs} ms)${describeSource('/connections/headersTimeoutMs')}`]);
  }
  if (candidate.tls?.requireClientCertificate === true && candidate.tls.clientCaFile === undefined) {
    throw new ConfigError(['/tls/requireClientCertificate: needs a client CA (set IL_GATEWAY_TLS_CLIENT_CA or "tls.clientCaFile" in IL_GATEWAY_CONFIG)']);
  }
  const tls = candidate.tls === undefined ? undefined : {
    ...candidate.tls,
    certFile: path.resolve(candidate.tls.certFile),
    keyFile: path.resolve(candidate.tls.keyFile),
    ...(candidate.tls.clientCaFile !== undefined ? { clientCaFile: path.resolve(candidate.tls.clientCaFile) } : {}),
  };
  return {
    ...candidate,
    ...(tls !== undefined ? { tls } : {}),
    networkJson: path.resolve(candidate.networkJson),
    apiKeysFile: path.resolve(candidate.apiKeysFile),
    dataDir: path.resolve(candidate.dataDir),
  };
}

function describeSource(pointer: string): string {
  const field = pointer.split('/')[1];
  if (field === 'tls') {
    const tlsField = pointer.split('/')[2];
    const tlsVariable = Object.entries(TLS_ENV).find(([, name]) => name === tlsField)?.[0];
    return tlsVariable === undefined ? '' : ` (set ${tlsVariable} or "tls.${tlsField}" in IL_GATEWAY_CONFIG)`;
  }
  if (field === 'connections') {
    const connectionField = pointer.split('/')[2];
    const connectionVariable = Object.entries(CONNECTIONS_ENV).find(([, name]) => name === connectionField)?.[0];
    return connectionVariable === undefined ? '' : ` (set ${connectionVariable} or "connections.${connectionField}" in IL_GATEWAY_CONFIG)`;
  }
  if (pointer === '/deadlines/minBlockWaitMs') return ' (set IL_GATEWAY_MIN_BLOCK_WAIT_MS or "deadlines.minBlockWaitMs" in IL_GATEWAY_CONFIG)';
  const variable = Object.entries(ENV_FIELDS).find(([, name]) => name === field)?.[0];
  return variable === undefined ? '' : ` (set ${variable} or "${field}" in IL_GATEWAY_CONFIG)`;
}

/**
 * Reads the API keys file: `{"keys": [{"sha256": "<hex sha256 of the bearer token>", "user":
 * "User1@org1.impact.local", "custody": "gateway"}, {"certSha256": "<hex sha256 of a client
 * certificate's DER>", "user": ...}]}`. Only hashes are stored, never tokens. `custody` defaults
 * to `client`; `certificate`/`certificatePath` and `mspId` name a user of another organisation.
 */
export function loadApiKeys(file: string): ApiKey[] {
  const parsed = readJsonFile(file, 'API keys file');
  if (!Value.Check(ApiKeysSchema, parsed)) {
    throw new ConfigError([...Value.Errors(ApiKeysSchema, parsed)].map((error) => `${file}${error.path}: ${error.message}`));
  }
  return parsed.keys;
}

/** The sha256 hex of a bearer token, as stored in the API keys file. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
