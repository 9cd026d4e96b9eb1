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
      // a filtered page (active role grants) may hold no record and still have more to read
      const fetched: unknown = Reflect.get(result, 'fetchedRecordsCount');
      const read = typeof fetched === 'number' ? fetched : records.length;
      const full = typeof bookmark === 'string' && bookmark !== '' && read > 0;
      return { records, cursor: full ? bookmark : '' };
    }
  }
  throw new ApiError(502, 'FABRIC_ERROR', 'the chaincode returned a page the gateway cannot read');
}
