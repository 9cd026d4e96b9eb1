/**
 * CLI subcommands of retirement certificates, with no network:
 * `impact-ledger verify-certificate FILE [--issuer DID]... [--json]` (a certificate as JSON, or
 * its PDF, which carries it as an attachment) and `impact-ledger certificate-pdf FILE [-o OUT]`
 * (renders a certificate's PDF from its JSON).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderCertificatePdf, pdfAttachment } from './pdf.js';
import { verifyRetirementCertificate } from './sign-verify.js';

export const VERIFY_CERTIFICATE_HELP = `usage: impact-ledger verify-certificate <certificate.json|certificate.pdf|-> [--issuer <did:key>]... [--json]

Verifies a retirement certificate offline: its shape, the JSON-LD contexts (bundled, never
fetched), the eddsa-rdfc-2022 proof by the issuer's did:key, and its validity. A PDF is verified
through the signed credential it carries as an attachment (retirement-certificate.json).

  --issuer DID  the did:key the retiring organisation publishes (GET /v1/certificate-issuer);
                repeatable. Without it the certificate is only checked to be signed by the key
                it names as its issuer (SELF-SIGNED: anyone can make such a certificate), and
                says so: compare the printed issuer with the organisation's published one.
  --json        print the report as JSON.

Exit status: 0 when every check passed; 1 when one failed (each failure named: format, issuer,
INVALID_SIGNATURE, ...); 2 on bad usage or an unreadable file.`;

export const CERTIFICATE_PDF_HELP = `usage: impact-ledger certificate-pdf <certificate.json|-> [-o <out.pdf>]

Renders a retirement certificate (the JSON of GET /v1/proofs/{id}/retirement-certificate) as the
PDF the gateway serves (?format=pdf), the credential attached; verifies it first (exit 1 when it
does not verify). Writes <out.pdf>, by default retirement-certificate-<proofId>.pdf.`;

const PDF_MAGIC = '%PDF-';

/** The certificate JSON in `bytes`: the file itself, or the credential a PDF carries. */
async function certificateIn(bytes: Buffer): Promise<unknown> {
  if (bytes.subarray(0, PDF_MAGIC.length).toString('latin1') === PDF_MAGIC) {
    const attached = await pdfAttachment(bytes);
    if (attached === undefined) throw new Error('the PDF carries no retirement-certificate.json attachment');
    return JSON.parse(Buffer.from(attached).toString('utf8'));
  }
  return JSON.parse(bytes.toString('utf8'));
}

function usageError(error: unknown, help: string): number {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${help}`);
  return 2;
}

/** The certificate named by a command's file argument (`-`: standard input); the exit code 2 when it is missing or unreadable. */
async function certificateArgument(positionals: readonly string[], help: string): Promise<{ input: unknown } | { exit: number }> {
  const file = positionals[0];
  if (file === undefined) return { exit: usageError('a certificate file is missing', help) };
  try {
    return { input: await certificateIn(readFileSync(file === '-' ? 0 : file)) };
  } catch (error) {
    console.error(`${file}: not a certificate (${error instanceof Error ? error.message : String(error)})`);
    return { exit: 2 };
  }
}

/** `verify-certificate`: resolves to the exit code. */
export async function verifyCertificateFile(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { issuer: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return usageError(error, VERIFY_CERTIFICATE_HELP);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(VERIFY_CERTIFICATE_HELP);
    return 0;
  }
  const read = await certificateArgument(positionals, VERIFY_CERTIFICATE_HELP);
  if ('exit' in read) return read.exit;
  const { input } = read;
  const report = await verifyRetirementCertificate(input, values.issuer === undefined ? {} : { issuers: values.issuer });
  if (values.json === true) {
    console.log(JSON.stringify(report, null, 2));
    return report.ok ? 0 : 1;
  }
  for (const failure of report.failures) console.log(`FAIL [${failure.check}] ${failure.message}`);
  const subject = report.certificate?.credentialSubject;
  if (report.ok && subject !== undefined) {
    console.log(`OK retirement of ${subject.quantity} ${subject.unit} of proof ${subject.proofId} (${subject.protocolId} v${subject.protocolVersion}) ` +
      `for ${JSON.stringify(subject.beneficiary)} on ${subject.retirementDate}, transaction ${subject.retirementTxId} in block ${subject.retirementBlock}, ` +
      `retired by ${subject.retiredBy}`);
    console.log(`   audit bundle: ${subject.auditBundle}`);
  }
  console.log(`   issuer: ${report.issuer || '(none)'}`);
  if (report.ok && !report.pinned) {
    console.log('SELF-SIGNED: the signature is the issuer key\'s own; compare the issuer above with the did:key the organisation publishes ' +
      '(GET /v1/certificate-issuer), or pass --issuer <did:key>.');
  } else if (report.ok) {
    console.log('TRUSTED: signed by a pinned issuer');
  }
  return report.ok ? 0 : 1;
}

/** `certificate-pdf`: resolves to the exit code. */
export async function certificatePdfFile(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    return usageError(error, CERTIFICATE_PDF_HELP);
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    console.log(CERTIFICATE_PDF_HELP);
    return 0;
  }
  const read = await certificateArgument(positionals, CERTIFICATE_PDF_HELP);
  if ('exit' in read) return read.exit;
  const { input } = read;
  const report = await verifyRetirementCertificate(input);
  if (!report.ok || report.certificate === undefined) {
    for (const failure of report.failures) console.error(`FAIL [${failure.check}] ${failure.message}`);
    return 1;
  }
  const out = values.out ?? `retirement-certificate-${report.certificate.credentialSubject.proofId}.pdf`;
  writeFileSync(out, await renderCertificatePdf(report.certificate));
  console.log(out);
  return 0;
}
