/**
 * `impact-ledger verify-bundle FILE [--credential FILE] [--json]`: verifies an audit bundle with
 * no network. With the holder's credential, also checks that its hash is the one the claim
 * anchors. Prints each check's outcome; exit 0 when every check passed, 1 otherwise (each failure
 * names its step), 2 on bad usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createStaticDocumentLoader, credentialHash, type JsonObject } from '@impact-ledger/credentials';
import { verifyAuditBundle } from './verify.js';

/** Runs the subcommand on its arguments; resolves to the exit code. */
export async function verifyBundleFile(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv], allowPositionals: true,
    options: { credential: { type: 'string' }, json: { type: 'boolean' } },
  });
  const file = positionals[0];
  if (file === undefined) {
    console.error('usage: impact-ledger verify-bundle <bundle.json> [--credential credential.json] [--json]');
    return 2;
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
  const report = verifyAuditBundle(bundle, hash === undefined ? {} : { credentialHash: hash });
  if (values.json === true) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const s = report.summary;
    for (const failure of report.failures) console.log(`FAIL [${failure.step}] ${failure.message}`);
    if (report.ok) {
      console.log(`OK proof ${s.proofId} on channel ${s.channel}: ${s.transactions} transactions in ${s.blocks} blocks, ` +
        `${s.ordererSignatures} orderer signatures, ${s.endorsements} endorsements${s.credentialChecked ? ', credential hash matches' : ''}` +
        `${s.flagged ? ' (the proof is FLAGGED: see provenance.flags)' : ''}`);
      for (const [number, hash] of Object.entries(s.configBlockHashes)) console.log(`   channel configuration block ${number}: sha256 ${hash}`);
    }
  }
  return report.ok ? 0 : 1;
}
