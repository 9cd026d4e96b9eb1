/**
 * The gateway's one error type, rendered by the central error handler as an RFC 9457 problem
 * detail with a stable `code` and any structured facts (e.g. `conflictingClaimId`) beside it.
 */

/** Facts about a failure that a caller may act on, placed beside the problem's standard members. */
export type ProblemExtensions = Readonly<Record<string, unknown>>;

/** An error with an HTTP status and a stable machine-readable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extensions: ProblemExtensions = {},
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** The body of an `application/problem+json` response. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly [extension: string]: unknown;
}

/** Base of the `type` URIs: one per code, documented in the OpenAPI document. */
export const PROBLEM_TYPE_BASE = 'https://impact-ledger.example/problems/';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error',
  502: 'Bad Gateway', 503: 'Service Unavailable',
};

/** The problem detail of an {@link ApiError}; reserved members are never overwritten by extensions. */
export function problemOf(error: ApiError): Problem {
  return {
    ...error.extensions,
    type: `${PROBLEM_TYPE_BASE}${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  };
}
