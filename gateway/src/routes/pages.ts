/** Turns the chaincode's pages (`records`, `bookmark`) into the API's (`records`, `cursor`). */
import { ApiError } from '../problem.js';

/** A page as the API returns it. */
export interface ApiPage {
  readonly records: unknown[];
  readonly cursor: string;
}

/** The API page of a chaincode page result; a malformed one is a 502. */
export function pageOf(result: unknown): ApiPage {
  if (typeof result === 'object' && result !== null) {
    const records: unknown = Reflect.get(result, 'records');
    const bookmark: unknown = Reflect.get(result, 'bookmark');
    if (Array.isArray(records)) {
      const full = typeof bookmark === 'string' && bookmark !== '' && records.length > 0;
      return { records, cursor: full ? bookmark : '' };
    }
  }
  throw new ApiError(502, 'FABRIC_ERROR', 'the chaincode returned a page the gateway cannot read');
}
