/**
 * The parts of jsonld.js (CommonJS, untyped) that the gateway uses. Results are `unknown`:
 * callers parse what they need.
 */
declare module 'jsonld' {
  interface RemoteDocument {
    contextUrl: string | null;
    documentUrl: string;
    document: unknown;
    tag?: 'static';
  }

  type DocumentLoader = (url: string) => Promise<RemoteDocument>;

  interface ProcessingOptions {
    documentLoader: DocumentLoader;
    /** Turns every dropped term or value into an error instead of a silent loss. */
    safe?: boolean;
    base?: string | null;
  }

  interface CanonizeOptions extends ProcessingOptions {
    algorithm: 'RDFC-1.0';
    format: 'application/n-quads';
    rdfDirection?: 'i18n-datatype';
  }

  interface JsonLd {
    expand(input: object, options: ProcessingOptions): Promise<unknown[]>;
    canonize(input: object, options: CanonizeOptions): Promise<string>;
  }

  const jsonld: JsonLd;
  export default jsonld;
}
