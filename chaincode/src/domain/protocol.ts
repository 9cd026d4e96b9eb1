/**
 * Protocols: the validated definition of how an impact is claimed, checked and counted, and its
 * lifecycle draft -> active <-> suspended -> retired. Content never changes once registered.
 */
import { ChaincodeError } from '../errors';
import {
  asFields, hex64, integer, invalid, list, nonEmpty, oneOf, onlyFields, text, unique, type Fields,
} from './args';
import { parseIdentity, type Caller } from './identity';
import type { Stamp } from './stamp';
import { assertSubjectSchemaCompiles } from './subject-schema';

/** Proof levels, weakest first. */
export const PROOF_LEVELS = ['declared', 'computed', 'verified'] as const;
/** How strongly a claimed quantity is backed. */
export type ProofLevel = (typeof PROOF_LEVELS)[number];

/** Net Zero Initiative pillars: A reduce own emissions, B help others reduce, C carbon sinks. */
export const PILLARS = ['A', 'B', 'C'] as const;
/** A Net Zero Initiative pillar; totals are never summed across pillars. */
export type Pillar = (typeof PILLARS)[number];

/** Protocol states. */
export const PROTOCOL_STATUSES = ['draft', 'active', 'suspended', 'retired'] as const;
/** A protocol's lifecycle state. */
export type ProtocolStatus = (typeof PROTOCOL_STATUSES)[number];

/** An emission factor of the additionality method; `value` is kept as a decimal string. */
export interface EmissionFactor {
  name: string;
  value: string;
  unit: string;
  source: string;
}

/** The additionality method, by value or by the sha256 of its document. */
export type Additionality =
  | { method: { baseline: string; counterfactual: string; emissionFactors: EmissionFactor[] } }
  | { hash: string };

/**
 * The evidence each proof level requires, by kind (e.g. `declared: ["trace"]`, `computed:
 * ["computation"]`, `verified: ["attestation"]`): a level requires the kinds it names and every
 * kind a weaker level names (cumulative), each as the sha256 of the evidence document. A level
 * left out adds nothing; a protocol without `evidence` requires none (as before).
 */
export type EvidenceRequirements = Partial<Record<ProofLevel, string[]>>;

/** An evidence kind: a lowercase slug (`trace`, `computation`, `attestation`...). */
export const EVIDENCE_KIND = /^[a-z][a-z0-9-]{0,31}$/;
/** Most evidence kinds one level names. */
export const MAX_EVIDENCE_KINDS = 16;

/** The Ed25519 keys (Multikey `publicKeyMultibase`) of an issuer identified by a URL. */
export interface IssuerKeys {
  controller: string;
  keys: { id: string; publicKeyMultibase: string }[];
}

/** What an operator registers: the immutable content of one protocol version. */
export interface ProtocolDefinition {
  id: string;
  version: number;
  title: string;
  /** The double-counting dimension. */
  category: string;
  unit: string;
  pillar: Pillar;
  sdgTargets: string[];
  minProofLevel: ProofLevel;
  verifiers: string[];
  quorum: number;
  /**
   * Anti-collusion: the fewest distinct organisations (MSPs) among the approving verifiers for a
   * claim to be verified (1..min(quorum, MSPs among the verifiers); default 2).
   */
  minVerifierOrgs: number;
  validators: string[];
  /** Anti-collusion: the validator must belong to another MSP than the claim's submitter (default true). */
  validatorFromOtherOrg: boolean;
  trustedIssuers: string[];
  /**
   * Keys of trusted issuers that are not did:key (a did:key carries its own key): what the
   * endorsing peers' static document loader serves for them. Each controller must be trusted.
   */
  issuerKeys?: IssuerKeys[];
  subjectSchema?: Fields;
  subjectSchemaHash?: string;
  quantityField: string;
  periodFields: { start: string; end: string };
  additionality: Additionality;
  /** The evidence each proof level requires (absent: none). */
  evidence?: EvidenceRequirements;
}

/** One lifecycle step of a protocol. */
export interface ProtocolLifecycleStep extends Stamp {
  status: ProtocolStatus;
}

/** A protocol version on the ledger. */
export interface ProtocolRecord extends ProtocolDefinition {
  status: ProtocolStatus;
  ownerMsp: string;
  registered: Stamp;
  /** The first activation (the moment the content became binding). */
  activation?: Stamp;
  lifecycle: ProtocolLifecycleStep[];
}

const SLUG = /^[a-z0-9-]{1,64}$/;
const SDG_TARGET = /^(\d{1,2})\.([0-9a-z]{1,2})$/;
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const FIELDS = [
  'id', 'version', 'title', 'category', 'unit', 'pillar', 'sdgTargets', 'minProofLevel', 'verifiers', 'quorum',
  'minVerifierOrgs', 'validators', 'validatorFromOtherOrg', 'issuerKeys', 'trustedIssuers', 'subjectSchema', 'subjectSchemaHash', 'quantityField', 'periodFields', 'additionality', 'evidence',
];
const MAX_MEMBERS = 64;
/** Default of `minVerifierOrgs`: approvals from at least two organisations. */
export const DEFAULT_MIN_VERIFIER_ORGS = 2;

const TRANSITIONS: Readonly<Record<ProtocolStatus, readonly ProtocolStatus[]>> = {
  draft: ['active', 'retired'],
  active: ['suspended', 'retired'],
  suspended: ['active', 'retired'],
  retired: [],
};

/** Rank of a proof level (declared 0 < computed 1 < verified 2). */
export function proofLevelRank(level: ProofLevel): number {
  return PROOF_LEVELS.indexOf(level);
}

/** Parses a protocol slug (id or category). */
export function slug(value: unknown, field: string): string {
  return text(value, field, 64, SLUG);
}

/** UN order of SDG targets: by goal, then numeric targets, then lettered ones. */
export function compareSdgTargets(a: string, b: string): number {
  const [goalA = '', targetA = ''] = a.split('.');
  const [goalB = '', targetB = ''] = b.split('.');
  if (goalA !== goalB) return Number(goalA) - Number(goalB);
  const numericA = /^\d+$/.test(targetA);
  const numericB = /^\d+$/.test(targetB);
  if (numericA && numericB) return Number(targetA) - Number(targetB);
  if (numericA !== numericB) return numericA ? -1 : 1;
  return targetA < targetB ? -1 : targetA > targetB ? 1 : 0;
}

function sdgTargets(value: unknown): string[] {
  const targets = list(value, 'sdgTargets', (v, f) => text(v, f, 5, SDG_TARGET), 169);
  nonEmpty(targets, 'sdgTargets');
  unique(targets, 'sdgTargets');
  return [...targets].sort(compareSdgTargets);
}

function identities(value: unknown, field: string): string[] {
  const members = list(value, field, (v, f) => {
    parseIdentity(v, f);
    return v as string;
  }, MAX_MEMBERS);
  nonEmpty(members, field);
  unique(members, field);
  return members;
}

/** The distinct MSPs of identity strings, sorted. */
export function mspsOf(members: readonly string[]): string[] {
  return [...new Set(members.map((m) => parseIdentity(m).mspId))].sort();
}

/**
 * `minVerifierOrgs`: 1 up to the MSPs among the verifiers and at most the quorum (more
 * organisations than approvals needed would silently raise the quorum).
 */
function minVerifierOrgs(value: unknown, verifiers: readonly string[], quorum: number): number {
  const orgs = mspsOf(verifiers).length;
  const max = Math.min(orgs, quorum);
  const given = value ?? DEFAULT_MIN_VERIFIER_ORGS;
  if (typeof given === 'number' && Number.isSafeInteger(given) && given > max) {
    throw invalid('minVerifierOrgs', `is ${given} but the verifiers belong to ${orgs} organisation(s) and the quorum is ${quorum}; `
      + `designate verifiers of more organisations or set minVerifierOrgs between 1 and ${max}`);
  }
  return integer(given, 'minVerifierOrgs', 1, max);
}

function validatorFromOtherOrg(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw invalid('validatorFromOtherOrg', 'must be true or false');
  return value;
}

function designation(input: Fields): Pick<ProtocolDefinition, 'verifiers' | 'quorum' | 'minVerifierOrgs' | 'validators' | 'validatorFromOtherOrg'> {
  const verifiers = identities(input.verifiers, 'verifiers');
  const quorum = integer(input.quorum, 'quorum', 1, verifiers.length);
  const validators = identities(input.validators, 'validators');
  const both = validators.find((v) => verifiers.includes(v));
  if (both !== undefined) throw invalid('validators', `${both} is also a verifier; validators and verifiers must be disjoint`);
  return {
    verifiers,
    quorum,
    minVerifierOrgs: minVerifierOrgs(input.minVerifierOrgs, verifiers, quorum),
    validators,
    validatorFromOtherOrg: validatorFromOtherOrg(input.validatorFromOtherOrg),
  };
}

function subjectSchema(input: Fields): Pick<ProtocolDefinition, 'subjectSchema' | 'subjectSchemaHash'> {
  const hasSchema = input.subjectSchema !== undefined;
  if (hasSchema === (input.subjectSchemaHash !== undefined)) {
    throw invalid('subjectSchema', 'give exactly one of subjectSchema (a JSON Schema object) or subjectSchemaHash');
  }
  if (!hasSchema) return { subjectSchemaHash: hex64(input.subjectSchemaHash, 'subjectSchemaHash') };
  const schema = asFields(input.subjectSchema, 'subjectSchema');
  assertSubjectSchemaCompiles(schema); // INVALID_PROTOCOL_SCHEMA: no claim could ever pass a schema that does not compile
  return { subjectSchema: schema };
}

function periodFields(value: unknown): ProtocolDefinition['periodFields'] {
  const fields = asFields(value, 'periodFields');
  onlyFields(fields, ['start', 'end'], 'periodFields');
  const start = text(fields.start, 'periodFields.start', 128);
  const end = text(fields.end, 'periodFields.end', 128);
  if (start === end) throw invalid('periodFields', 'start and end must name different fields');
  return { start, end };
}

function factorValue(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL.test(value)) return value;
  throw invalid(field, 'must be a decimal number (a JSON number or a numeric string)');
}

function emissionFactor(value: unknown, field: string): EmissionFactor {
  const factor = asFields(value, field);
  onlyFields(factor, ['name', 'value', 'unit', 'source'], field);
  return {
    name: text(factor.name, `${field}.name`),
    value: factorValue(factor.value, `${field}.value`),
    unit: text(factor.unit, `${field}.unit`, 64),
    source: text(factor.source, `${field}.source`, 512),
  };
}

function additionality(value: unknown): Additionality {
  const input = asFields(value, 'additionality');
  if ((input.method === undefined) === (input.hash === undefined)) {
    throw invalid('additionality', 'give exactly one of method (by value) or hash (sha256 of the method document)');
  }
  if (input.hash !== undefined) {
    onlyFields(input, ['hash'], 'additionality');
    return { hash: hex64(input.hash, 'additionality.hash') };
  }
  onlyFields(input, ['method'], 'additionality');
  const method = asFields(input.method, 'additionality.method');
  onlyFields(method, ['baseline', 'counterfactual', 'emissionFactors'], 'additionality.method');
  const emissionFactors = list(method.emissionFactors, 'additionality.method.emissionFactors', emissionFactor, 64);
  return {
    method: {
      baseline: text(method.baseline, 'additionality.method.baseline', 2048),
      counterfactual: text(method.counterfactual, 'additionality.method.counterfactual', 2048),
      emissionFactors,
    },
  };
}

function evidenceRequirements(value: unknown): Pick<ProtocolDefinition, 'evidence'> {
  if (value === undefined) return {};
  const input = asFields(value, 'evidence');
  onlyFields(input, PROOF_LEVELS, 'evidence');
  const evidence: EvidenceRequirements = {};
  for (const level of PROOF_LEVELS) {
    if (input[level] === undefined) continue;
    const field = `evidence.${level}`;
    const kinds = list(input[level], field, (v, f) => text(v, f, 32, EVIDENCE_KIND), MAX_EVIDENCE_KINDS);
    unique(kinds, field);
    evidence[level] = [...kinds].sort();
  }
  return { evidence };
}

/** The evidence kinds a claim at `level` must carry: those of `level` and of every weaker level, sorted. */
export function requiredEvidence(protocol: Pick<ProtocolDefinition, 'evidence'>, level: ProofLevel): string[] {
  const kinds = new Set<string>();
  for (const weaker of PROOF_LEVELS.slice(0, proofLevelRank(level) + 1)) for (const kind of protocol.evidence?.[weaker] ?? []) kinds.add(kind);
  return [...kinds].sort();
}

/**
 * A protocol's unit: a letter, then at most 31 letters, digits, spaces and `. / % ² ³ µ ( ) -`.
 * The unit is free text that reaches reports and the campaign CSV export: a strict pattern keeps
 * formulas (`=`, `+`, `-`, `@` first), separators and control characters out of it.
 */
export const UNIT_PATTERN = /^[A-Za-z][A-Za-z0-9 ./%²³µμ()-]{0,31}$/;

/** Parses a protocol's unit; refuses with INVALID_UNIT (field `unit`). */
export function protocolUnit(value: unknown): string {
  if (typeof value === 'string' && UNIT_PATTERN.test(value)) return value;
  const reason = `must match ${UNIT_PATTERN.source} (a letter first, at most 32 characters, e.g. gCO2e, kgCO2e/km, kWh)`;
  throw new ChaincodeError('INVALID_UNIT', `unit: ${reason}`, { field: 'unit', reason });
}

function issuerKeys(value: unknown, trustedIssuers: readonly string[]): Pick<ProtocolDefinition, 'issuerKeys'> {
  if (value === undefined) return {};
  const records = list(value, 'issuerKeys', (v, f) => {
    const record = asFields(v, f);
    onlyFields(record, ['controller', 'keys'], f);
    const controller = text(record.controller, `${f}.controller`, 512);
    if (!trustedIssuers.includes(controller)) throw invalid(`${f}.controller`, `${controller} is not one of trustedIssuers`);
    const keys = list(record.keys, `${f}.keys`, (k, kf) => {
      const key = asFields(k, kf);
      onlyFields(key, ['id', 'publicKeyMultibase'], kf);
      return { id: text(key.id, `${kf}.id`, 1024), publicKeyMultibase: text(key.publicKeyMultibase, `${kf}.publicKeyMultibase`, 128) };
    }, 16);
    nonEmpty(keys, `${f}.keys`);
    return { controller, keys };
  }, MAX_MEMBERS);
  unique(records.map((r) => r.controller), 'issuerKeys');
  return { issuerKeys: records };
}

/** Validates a protocol document; refuses with INVALID_ARGUMENT naming the field (INVALID_UNIT for the unit). */
export function newProtocolDefinition(value: unknown): ProtocolDefinition {
  const input = asFields(value, 'protocol');
  onlyFields(input, FIELDS, 'protocol');
  const trustedIssuers = list(input.trustedIssuers, 'trustedIssuers', (v, f) => text(v, f, 512), MAX_MEMBERS);
  nonEmpty(trustedIssuers, 'trustedIssuers');
  unique(trustedIssuers, 'trustedIssuers');
  return {
    id: slug(input.id, 'id'),
    version: integer(input.version, 'version', 1),
    title: text(input.title, 'title', 256),
    category: slug(input.category, 'category'),
    unit: protocolUnit(input.unit),
    pillar: oneOf(input.pillar, 'pillar', PILLARS),
    sdgTargets: sdgTargets(input.sdgTargets),
    minProofLevel: oneOf(input.minProofLevel, 'minProofLevel', PROOF_LEVELS),
    ...designation(input),
    trustedIssuers,
    ...issuerKeys(input.issuerKeys, trustedIssuers),
    ...subjectSchema(input),
    quantityField: text(input.quantityField, 'quantityField', 128),
    periodFields: periodFields(input.periodFields),
    additionality: additionality(input.additionality),
    ...evidenceRequirements(input.evidence),
  };
}

/** Refuses a caller who is not an operator (FORBIDDEN_ROLE). */
export function assertOperator(caller: Caller, action: string): void {
  if (!caller.operator) {
    throw new ChaincodeError('FORBIDDEN_ROLE', `${caller.identity} is not an operator (OU=admin) and cannot ${action}`);
  }
}

/** Refuses anyone but an operator of the protocol's owner MSP. */
export function assertOwnerOperator(caller: Caller, protocol: ProtocolRecord): void {
  assertOperator(caller, `manage protocol ${protocol.id} v${protocol.version}`);
  if (caller.mspId !== protocol.ownerMsp) {
    throw new ChaincodeError('FOREIGN_MSP', `protocol ${protocol.id} v${protocol.version} belongs to ${protocol.ownerMsp}; only its operators manage it`, {
      ownerMsp: protocol.ownerMsp,
    });
  }
}

/** A new protocol version in `draft`, owned by the registering operator's MSP. */
export function registerProtocol(definition: ProtocolDefinition, caller: Caller, stamp: Stamp): ProtocolRecord {
  assertOperator(caller, 'register protocols');
  return { ...definition, status: 'draft', ownerMsp: caller.mspId, registered: stamp, lifecycle: [{ status: 'draft', ...stamp }] };
}

/**
 * A protocol id belongs to the MSP that registered its first version: only that MSP's operators
 * register further versions (PROTOCOL_NOT_OWNED), and a new version keeps the impact category
 * (PROTOCOL_CATEGORY_CHANGED), since double counting is checked per category across versions.
 * `versions` are the versions already registered under the id (any order; none for a new id).
 */
export function assertMayAddVersion(definition: ProtocolDefinition, versions: readonly ProtocolRecord[], caller: Caller): void {
  const first = versions.reduce<ProtocolRecord | undefined>((lowest, v) => (lowest === undefined || v.version < lowest.version ? v : lowest), undefined);
  if (first === undefined) return;
  if (caller.mspId !== first.ownerMsp) {
    throw new ChaincodeError('PROTOCOL_NOT_OWNED', `protocol ${first.id} belongs to ${first.ownerMsp}, which registered its first version; only its operators add versions, register your own protocol id instead`, {
      protocolId: first.id, ownerMsp: first.ownerMsp,
    });
  }
  if (definition.category !== first.category) {
    throw new ChaincodeError('PROTOCOL_CATEGORY_CHANGED', `protocol ${first.id} counts impact in category ${first.category}; a new version must keep it (double counting spans versions)`, {
      protocolId: first.id, category: first.category, requested: definition.category,
    });
  }
}

/** Moves a protocol along its lifecycle, or refuses with INVALID_STATE_TRANSITION. */
export function transitionProtocol(protocol: ProtocolRecord, to: ProtocolStatus, stamp: Stamp): ProtocolRecord {
  if (!TRANSITIONS[protocol.status].includes(to)) {
    throw new ChaincodeError('INVALID_STATE_TRANSITION', `protocol ${protocol.id} v${protocol.version} cannot go from ${protocol.status} to ${to}`, {
      from: protocol.status,
      to,
    });
  }
  const activation = protocol.activation ?? (to === 'active' ? stamp : undefined);
  return {
    ...protocol,
    status: to,
    ...(activation ? { activation } : {}),
    lifecycle: [...protocol.lifecycle, { status: to, ...stamp }],
  };
}

/** Refuses (PROTOCOL_NOT_ACTIVE) unless the protocol is active. */
export function assertActive(protocol: ProtocolRecord, action: string): void {
  if (protocol.status !== 'active') {
    throw new ChaincodeError('PROTOCOL_NOT_ACTIVE', `protocol ${protocol.id} v${protocol.version} is ${protocol.status}; ${action} needs an active protocol`, {
      status: protocol.status,
    });
  }
}
