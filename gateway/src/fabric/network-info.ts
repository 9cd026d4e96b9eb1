/**
 * The part of network.json (written by scripts/network.sh) that one organisation's gateway needs:
 * the channel, the chaincode, its peer, the other organisations' peers (to fail over to) and its
 * users' certificates and key directories.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import type { PeerTarget } from './peers.js';

/** `role`: the role the network scripts enrolled the user for (operator, submitter, verifier, ...). */
const UserSchema = Type.Object({ name: Type.String(), role: Type.Optional(Type.String()), certPath: Type.String(), keyDir: Type.String() });
const PeerSchema = Type.Object({ name: Type.String(), host: Type.String(), endpoint: Type.String(), tlsRootCertPath: Type.String() });
const OrgSchema = Type.Object({ mspId: Type.String(), domain: Type.String(), peer: PeerSchema, admin: UserSchema, users: Type.Array(UserSchema) });
const NetworkSchema = Type.Object({ channel: Type.String(), chaincode: Type.String(), orgs: Type.Array(OrgSchema) });

/** A user of the organisation: its name in network.json, certificate and key directory. */
export type NetworkUser = Static<typeof UserSchema>;
/** The organisation's peer: gRPC endpoint, TLS host name and TLS root certificate. */
export type PeerEndpoint = Static<typeof PeerSchema>;

/** What the gateway of one organisation knows of the network. */
export interface OrgNetwork {
  readonly channel: string;
  readonly chaincode: string;
  readonly mspId: string;
  readonly peer: PeerEndpoint;
  /** Every organisation's peer, the own one first, then the others in network.json's order. */
  readonly peers: readonly PeerTarget[];
  /** The organisation's Admin (the operator), used for system reads (readiness, blocks, events). */
  readonly admin: NetworkUser;
  /** Every user of the organisation by name, the Admin included. */
  readonly users: ReadonlyMap<string, NetworkUser>;
}

/** Reads network.json and picks organisation `mspId`; throws a ConfigError when it cannot. */
export function loadOrgNetwork(file: string, mspId: string): OrgNetwork {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`network description ${file} cannot be read: ${error instanceof Error ? error.message : String(error)}; run npm start first`]);
  }
  if (!Value.Check(NetworkSchema, parsed)) throw new ConfigError([`${file} is not a network description written by scripts/network.sh`]);
  const org = parsed.orgs.find((candidate) => candidate.mspId === mspId);
  if (org === undefined) throw new ConfigError([`${file} has no organisation ${mspId} (it has ${parsed.orgs.map((o) => o.mspId).join(', ')})`]);
  const users = new Map([org.admin, ...org.users].map((user) => [user.name, user]));
  const peers = [org, ...parsed.orgs.filter((other) => other !== org)]
    .map(({ mspId: owner, peer: { name, host, endpoint, tlsRootCertPath } }) => ({ name, host, endpoint, tlsRootCertPath, mspId: owner }));
  return { channel: parsed.channel, chaincode: parsed.chaincode, mspId, peer: org.peer, peers, admin: org.admin, users };
}
