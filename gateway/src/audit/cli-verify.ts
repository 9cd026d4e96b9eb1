/**
 * `impact-ledger verify-bundle FILE [--trust GENESIS] [--credential FILE] [--json]`: verifies an
 * audit bundle with no network (see HELP).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createStaticDocumentLoader, credentialHash, type JsonObject } from '@impact-ledger/credentials';
import { genesisBlockHash, verifyAuditBundle } from './verify.js';

const HELP = `usage: impact-ledger verify-bundle <bundle.json|-> [--trust <genesis.block | sha256 hex>] [--credential credential.json] [--json]

Verifies an audit bundle offline: orderer signatures, endorsements, write sets, the chain of
records, and the chain of channel configuration blocks from the genesis block.

  --trust X       the trust anchor: the channel's genesis block, as a file (a serialized
                  common.Block numbered 0: configtxgen -outputBlock, or peer channel fetch 0)
                  or as its block hash: 64 hex characters, sha256 of the DER encoding of the
                  block header (SEQUENCE { number INTEGER, previous_hash OCTET STRING,
                  data_hash OCTET STRING }), i.e. Fabric's block hash, the previous_hash of
                  block 1. The bundle's genesis block must have that hash, and every later
                  configuration block must be signed by the orderers of the configuration
                  before it. Without --trust the bundle is only checked to be SELF-CONSISTENT:
                  a bundle re-made with other keys would pass; compare the printed genesis
                  block hash with one you obtained from the channel's operators.
  --credential F  the holder's credential: its hash must be the one the claim anchors.
  --json          print the report as JSON.

Exit status: 0 when every check passed (with --trust: the bundle is anchored in the pinned
genesis block; without: it is self-consistent, and says so); 1 when a check failed (each
failure names its step, e.g. trust-anchor, config-chain, orderer-signature); 2 on bad usage
or an unreadable --trust / --credential file.`;

/** The pinned genesis block hash from `--trust`: 64 hex characters, or the hash of a genesis block file. */
function pinOf(trust: string): string {
  if (/^[0-9a-fA-F]{64}$/.test(trust)) return trust.toLowerCase();
  return genesisBlockHash(readFileSync(trust));
}

/** Runs the subcommand on its arguments; resolves to the exit code. */
export async function verifyBundleFile(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv], allowPositionals: true,
      options: { credential: { type: 'string' }, trust: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined) {
    console.error(HELP);
    return 2;
  }
  let pin: string | undefined;
  if (values.trust !== undefined) {
    try {
      pin = pinOf(values.trust);
    } catch (error) {
      console.error(`--trust ${values.trust}: not a genesis block nor a sha256 hex (${error instanceof Error ? error.message : String(error)})`);
      return 2;
    }
  }
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
  } catch (error) {
    bundle = undefined;
    console.error(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const hash = values.credential === undefined ? undefined
    : await credentialHash(JSON.parse(readFileSync(values.credential, 'utf8')) as JsonObject, createStaticDocumentLoader());
  const report = verifyAuditBundle(bundle, { ...(hash === undefined ? {} : { credentialHash: hash }), ...(pin === undefined ? {} : { trustedGenesisHash: pin }) });
  if (values.json === true) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const s = report.summary;
    for (const failure of report.failures) console.log(`FAIL [${failure.step}] ${failure.message}`);
    if (report.ok) {
      console.log(`OK proof ${s.proofId} on channel ${s.channel}: ${s.transactions} transactions in ${s.blocks} blocks, ` +
        `${s.ordererSignatures} orderer signatures, ${s.endorsements} endorsements${s.credentialChecked ? ', credential hash matches' : ''}` +
        `${s.flagged ? ' (the proof is FLAGGED: see provenance.flags)' : ''}`);
      for (const [number, hash] of Object.entries(s.configBlockHashes)) console.log(`   channel configuration block ${number}: block hash ${hash}`);
    }
    if (s.genesisHash !== '') console.log(`   genesis block hash (sha256 of the DER block header, Fabric's block hash): ${s.genesisHash}`);
    if (report.ok && s.trusted) {
      console.log(`TRUSTED: the configuration chain starts at the pinned genesis block ${s.genesisHash}`);
    } else if (report.ok) {
      console.log('NOT PINNED: the bundle is only SELF-CONSISTENT (its own genesis block is its trust anchor; a bundle re-made with other keys ' +
        'would pass too). Compare the genesis block hash above with the channel\'s, or pass --trust <genesis.block | sha256>.');
    }
  }
  return report.ok ? 0 : 1;
}
