/**
 * The parts of the untyped @digitalbazaar Verifiable Credential packages that the gateway uses.
 * Anything the gateway reads back from them is `unknown` and parsed at the call site.
 */
declare module '@digitalbazaar/ed25519-multikey' {
  interface Signer {
    readonly algorithm: string;
    readonly id: string;
    sign(input: { data: Uint8Array }): Promise<Uint8Array>;
  }

  interface MultikeyDescription {
    '@context'?: string | string[];
    type?: 'Multikey';
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
  }

  interface Ed25519MultikeyPair {
    readonly id?: string;
    readonly controller?: string;
    readonly publicKeyMultibase: string;
    readonly secretKeyMultibase?: string;
    signer(): Signer;
  }

  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519MultikeyPair>;
  export function from(key: MultikeyDescription): Promise<Ed25519MultikeyPair>;
  export type { Ed25519MultikeyPair, MultikeyDescription, Signer };
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  interface Cryptosuite {
    readonly name: string;
    readonly requiredAlgorithm: string;
  }
  export const cryptosuite: Cryptosuite;
  export type { Cryptosuite };
}

declare module '@digitalbazaar/data-integrity' {
  import type { Cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
  import type { Signer } from '@digitalbazaar/ed25519-multikey';

  export class DataIntegrityProof {
    constructor(options: { cryptosuite: Cryptosuite; signer?: Signer; date?: string | Date });
  }
}

declare module '@digitalbazaar/vc' {
  import type { DataIntegrityProof } from '@digitalbazaar/data-integrity';

  interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
  }

  type DocumentLoader = (url: string) => Promise<RemoteDocument>;

  /** One entry per proof checked; the credential checks before any proof give `credential` instead. */
  interface VerificationEntry {
    verified: boolean;
    proof?: unknown;
    credential?: unknown;
    error?: unknown;
  }

  interface VerifyCredentialResult {
    verified: boolean;
    results?: VerificationEntry[];
    error?: unknown;
  }

  export function verifyCredential(options: {
    credential: object;
    suite: DataIntegrityProof;
    documentLoader: DocumentLoader;
    now?: Date;
    maxClockSkew?: number;
    checkStatus?: (options: object) => Promise<{ verified: boolean }>;
  }): Promise<VerifyCredentialResult>;

  export function issue(options: {
    credential: object;
    suite: DataIntegrityProof;
    documentLoader: DocumentLoader;
    now?: Date;
  }): Promise<unknown>;
}

declare module '@digitalbazaar/did-method-key' {
  import type { Ed25519MultikeyPair, MultikeyDescription } from '@digitalbazaar/ed25519-multikey';

  interface DidKeyDriver {
    use(options: {
      multibaseMultikeyHeader: string;
      fromMultibase: (key: MultikeyDescription) => Promise<Ed25519MultikeyPair>;
    }): void;
    /** Computes (never fetches) the DID document, or the verification method a fragment names. */
    get(options: { url: string }): Promise<unknown>;
  }

  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/credentials-context' {
  /** Context URL -> context document (credentials v1, v2, undefined-terms v2). */
  export const contexts: ReadonlyMap<string, unknown>;
}

declare module '@digitalbazaar/data-integrity-context' {
  const dataIntegrityContext: {
    /** Context URL -> context document (data-integrity v1 and v2). */
    readonly contexts: ReadonlyMap<string, unknown>;
  };
  export default dataIntegrityContext;
}

declare module '@digitalbazaar/vc-bitstring-status-list' {
  /** One status entry's outcome: `status` is the bit (true: set). */
  export interface StatusResult { verified: boolean; status?: boolean; credentialStatus?: { statusPurpose?: string; statusListCredential?: string; statusListIndex?: string } }
  export function checkStatus(options: {
    credential: object;
    documentLoader: (url: string) => Promise<unknown>;
    suite: unknown;
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<{ verified: boolean; error?: Error; results?: StatusResult[] }>;
  export function statusTypeMatches(options: { credential: object }): boolean;
  export function createList(options: { length: number }): Promise<{ setStatus(index: number, status: boolean): void; encode(): Promise<string> }>;
  export function createCredential(options: { id: string; list: unknown; statusPurpose: string; context?: string[] }): Promise<Record<string, unknown>>;
}

declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, unknown>;
  export const CONTEXT_URL: string;
}
