/**
 * Authentication: a bearer token, or a client certificate when the gateway serves HTTPS with a
 * client CA (mutual TLS). Either one's sha256 is looked up in this organisation's API keys and
 * names the Fabric identity (a network.json user) the caller acts as. A caller never states its
 * own identity or role.
 */
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { tokenHash, type ApiKey } from './config.js';
import { ApiError } from './problem.js';

/** Who a request acts as: the network.json user name of the mapped Fabric identity. */
export interface Caller {
  readonly user: string;
  /** How the caller proved who it is. */
  readonly by: 'bearer' | 'client-certificate';
}

/** Resolves requests to callers. */
export interface Authenticator {
  /** The caller of `request`; throws 401 when neither a known client certificate nor a known bearer token is presented. */
  authenticate(request: FastifyRequest): Caller;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/** The sha256 hex of a certificate's DER bytes, as stored in the API keys file (`certSha256`). */
export function certificateHash(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/** The caller a client certificate maps to; undefined when the connection carries no certificate. */
function byCertificate(request: FastifyRequest, users: ReadonlyMap<string, string>): Caller | undefined {
  const socket = request.raw.socket;
  if (!(socket instanceof TLSSocket)) return undefined;
  const certificate = socket.getPeerCertificate();
  if (certificate === null || certificate.raw === undefined) return undefined;
  if (!socket.authorized) {
    throw new ApiError(401, 'CLIENT_CERTIFICATE_UNTRUSTED', `the client certificate is not issued by a CA this gateway trusts (${String(socket.authorizationError)})`, {});
  }
  const user = users.get(certificateHash(certificate.raw));
  if (user === undefined) {
    throw new ApiError(401, 'CLIENT_CERTIFICATE_UNKNOWN', 'the client certificate is trusted but not mapped to an identity; ask this organisation\'s operator to register it', {});
  }
  return { user, by: 'client-certificate' };
}

/** An authenticator over the configured API keys. */
export function createAuthenticator(keys: readonly ApiKey[]): Authenticator {
  const tokenUsers = new Map(keys.flatMap((key) => ('sha256' in key ? [[key.sha256, key.user] as const] : [])));
  const certificateUsers = new Map(keys.flatMap((key) => ('certSha256' in key ? [[key.certSha256, key.user] as const] : [])));
  return {
    authenticate(request) {
      const viaCertificate = byCertificate(request, certificateUsers);
      if (viaCertificate !== undefined) return viaCertificate;
      const header = request.headers.authorization;
      const match = header === undefined ? null : BEARER.exec(header);
      const user = match?.[1] === undefined ? undefined : tokenUsers.get(tokenHash(match[1]));
      if (user === undefined) {
        throw new ApiError(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token> with an API key issued by this organisation\'s operator, or a registered client certificate', {});
      }
      return { user, by: 'bearer' };
    },
  };
}
