/**
 * Bearer-token authentication: the token's sha256 is looked up in the API keys of this
 * organisation and names the Fabric identity (a network.json user) the caller acts as. A caller
 * never states its own identity or role.
 */
import type { FastifyRequest } from 'fastify';
import { tokenHash, type ApiKey } from './config.js';
import { ApiError } from './problem.js';

/** Who a request acts as: the network.json user name of the mapped Fabric identity. */
export interface Caller {
  readonly user: string;
}

/** Resolves bearer tokens to callers. */
export interface Authenticator {
  /** The caller of `request`; throws 401 UNAUTHENTICATED without a known bearer token. */
  authenticate(request: FastifyRequest): Caller;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/** An authenticator over the configured API keys. */
export function createAuthenticator(keys: readonly ApiKey[]): Authenticator {
  const users = new Map(keys.map((key) => [key.sha256, key.user]));
  return {
    authenticate(request) {
      const header = request.headers.authorization;
      const match = header === undefined ? null : BEARER.exec(header);
      const user = match?.[1] === undefined ? undefined : users.get(tokenHash(match[1]));
      if (user === undefined) {
        throw new ApiError(401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token> with an API key issued by this organisation\'s operator', {});
      }
      return { user };
    },
  };
}
