/**
 * The JSON-LD contexts the gateway knows, by URL. They ship with the gateway (from npm packages or
 * as JSON files beside this module) and are the only contexts a credential may use.
 */
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import { contexts as bitstringStatusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { isJsonObject, type JsonObject } from '../json.js';
import examplesV2 from './credentials-examples-v2.json' with { type: 'json' };
import impactLedgerV1 from './impact-ledger-v1.json' with { type: 'json' };
import retirementCertificateV1 from './retirement-certificate-v1.json' with { type: 'json' };

/** URL of the W3C credentials v1 context (VCDM 1.1). */
export const CREDENTIALS_V1_URL = 'https://www.w3.org/2018/credentials/v1';
/** URL of the W3C credentials v2 context (VCDM 2.0). */
export const CREDENTIALS_V2_URL = 'https://www.w3.org/ns/credentials/v2';
/** URL of the W3C examples v2 context (used by the specification's test vectors). */
export const CREDENTIALS_EXAMPLES_V2_URL = 'https://www.w3.org/ns/credentials/examples/v2';
/** URL of impact-ledger's own context: the terms of impact claim subjects. */
export const IMPACT_LEDGER_CONTEXT_V1_URL = 'https://impact-ledger.org/contexts/v1';
/** URL of the context of retirement certificates (the credentials the gateway issues when a proof is retired). */
export const RETIREMENT_CERTIFICATE_CONTEXT_V1_URL = 'https://impact-ledger.org/contexts/retirement-certificate/v1';

function entries(source: ReadonlyMap<string, unknown>): Array<[string, JsonObject]> {
  return [...source].map(([url, document]) => {
    if (!isJsonObject(document)) throw new TypeError(`bundled context ${url} is not a JSON object`);
    return [url, document];
  });
}

/** Every bundled context, by URL. */
export const BUNDLED_CONTEXTS: ReadonlyMap<string, JsonObject> = new Map([
  ...entries(credentialsContexts),
  ...entries(dataIntegrityContext.contexts),
  ...entries(bitstringStatusListContexts),
  ...entries(new Map<string, unknown>([
    [CREDENTIALS_EXAMPLES_V2_URL, examplesV2],
    [IMPACT_LEDGER_CONTEXT_V1_URL, impactLedgerV1],
    [RETIREMENT_CERTIFICATE_CONTEXT_V1_URL, retirementCertificateV1],
  ])),
]);
