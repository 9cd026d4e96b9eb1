/**
 * The PDF rendering of a retirement certificate (pdf-lib, pure JS): one A4 page with the facts of
 * the retirement, a QR code of the proof id and one of the audit bundle link, and the signed
 * credential itself attached as `retirement-certificate.json`, so the PDF carries what verifies
 * it (`impact-ledger verify-certificate certificate.pdf`). The QR payloads are also in the
 * document's keywords. Dates come from the retirement, so a certificate renders the same PDF.
 */
import {
  concatTransformationMatrix, decodePDFRawStream, drawObject, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString, popGraphicsState,
  pushGraphicsState, rgb, StandardFonts, type PDFFont, type PDFPage,
} from 'pdf-lib';
import { sortKeysDeep } from '@impact-ledger/chaincode/facts';
import QRCode from 'qrcode';
import type { RetirementCertificate } from './certificate.js';

/** Name of the attached credential. */
export const CERTIFICATE_ATTACHMENT = 'retirement-certificate.json';
/** Keyword prefixes of the QR payloads in the PDF metadata. */
export const QR_KEYWORDS = { proof: 'qr-proof:', bundle: 'qr-bundle:' } as const;

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const QR_SIZE = 130;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.35, 0.35, 0.4);

/** What a standard (WinAnsi) font cannot draw becomes '?': the attached credential keeps the exact text. */
function drawable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return [...text.replace(/[\r\n\t]+/g, ' ')].map((char) => (supported.has(char.codePointAt(0) ?? 0) ? char : '?')).join('');
}

/** Splits `text` into lines no wider than `width` (long words are cut). */
function wrap(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let piece = word;
    while (font.widthOfTextAtSize(piece, size) > width) {
      let cut = piece.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(piece.slice(0, cut), size) > width) cut -= 1;
      if (line !== '') lines.push(line);
      lines.push(piece.slice(0, cut));
      line = '';
      piece = piece.slice(cut);
    }
    const candidate = line === '' ? piece : `${line} ${piece}`;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
    } else {
      lines.push(line);
      line = piece;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Light modules around the symbol, as the QR specification asks. */
const QUIET_ZONE = 4;

/**
 * Draws a QR code of `payload` as an image of one 8-bit gray pixel per module, scaled up without
 * interpolation (crisp at any zoom; a PNG would cost a decode and re-encode per certificate).
 */
function drawQr(doc: PDFDocument, page: PDFPage, payload: string, at: { x: number; y: number; size: number }): void {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const side = modules.size + 2 * QUIET_ZONE;
  const pixels = new Uint8Array(side * side).fill(255);
  for (let row = 0; row < modules.size; row += 1) {
    for (let col = 0; col < modules.size; col += 1) {
      if (modules.get(row, col) !== 0) pixels[(row + QUIET_ZONE) * side + col + QUIET_ZONE] = 0;
    }
  }
  const image = doc.context.flateStream(pixels, {
    Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceGray', BitsPerComponent: 8, Interpolate: false,
  });
  const name = page.node.newXObject('QR', doc.context.register(image));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(at.size, 0, 0, at.size, at.x, at.y), drawObject(name), popGraphicsState());
}

interface Writer {
  y: number;
}

function field(page: PDFPage, fonts: { regular: PDFFont; bold: PDFFont }, at: Writer, label: string, value: string, width: number): void {
  page.drawText(label, { x: MARGIN, y: at.y, size: 8, font: fonts.bold, color: MUTED });
  at.y -= 12;
  // 9 pt: a 64-character hash fits one line beside the QR codes
  for (const line of wrap(fonts.regular, 9, drawable(fonts.regular, value), width)) {
    page.drawText(line, { x: MARGIN, y: at.y, size: 9, font: fonts.regular, color: INK });
    at.y -= 12;
  }
  at.y -= 6;
}

/** Renders a signed certificate as a PDF. */
export async function renderCertificatePdf(certificate: RetirementCertificate): Promise<Uint8Array> {
  const subject = certificate.credentialSubject;
  const date = new Date(subject.retirementDate);
  const doc = await PDFDocument.create();
  doc.setTitle(`Certificate of retirement: ${subject.quantity} ${subject.unit} of proof ${subject.proofId}`);
  doc.setSubject(`Retirement of Proof of Impact ${subject.proofId} for ${subject.beneficiary}`);
  doc.setAuthor(`${certificate.issuer.name} (${certificate.issuer.id})`);
  doc.setKeywords([`${QR_KEYWORDS.proof}${subject.proofId}`, `${QR_KEYWORDS.bundle}${subject.auditBundle}`]);
  doc.setCreator('impact-ledger');
  doc.setProducer('impact-ledger');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  const fonts = { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) };
  const page = doc.addPage(A4);
  const [pageWidth, pageHeight] = A4;
  const textWidth = pageWidth - 2 * MARGIN - QR_SIZE - 20;
  const at: Writer = { y: pageHeight - MARGIN - 20 };
  page.drawText('Certificate of retirement', { x: MARGIN, y: at.y, size: 22, font: fonts.bold, color: INK });
  at.y -= 22;
  page.drawText('of a Proof of Impact recorded on impact-ledger', { x: MARGIN, y: at.y, size: 11, font: fonts.regular, color: MUTED });
  at.y -= 34;
  const retired = `${subject.quantity} ${subject.unit}`;
  page.drawText(drawable(fonts.bold, retired), { x: MARGIN, y: at.y, size: 18, font: fonts.bold, color: INK });
  at.y -= 16;
  page.drawText(`retired for ${drawable(fonts.regular, subject.beneficiary)}`.slice(0, 90), { x: MARGIN, y: at.y, size: 11, font: fonts.regular, color: INK });
  at.y -= 28;
  field(page, fonts, at, 'BENEFICIARY', subject.beneficiary, textWidth);
  field(page, fonts, at, 'PURPOSE', subject.purpose, textWidth);
  field(page, fonts, at, 'PROOF ID', subject.proofId, textWidth);
  field(page, fonts, at, 'QUANTITY', `${subject.quantity} ${subject.unit} (pillar ${subject.pillar})`, textWidth);
  field(page, fonts, at, 'PROTOCOL', `${subject.protocolId} version ${subject.protocolVersion}; activity ${subject.vintageStart} to ${subject.vintageEnd}`, textWidth);
  field(page, fonts, at, 'RETIRED ON', `${subject.retirementDate} by a member of ${subject.retiredBy}`, textWidth);
  field(page, fonts, at, 'RETIREMENT TRANSACTION', `${subject.retirementTxId}, block ${subject.retirementBlock} of channel ${subject.channel} (chaincode ${subject.chaincode})`, textWidth);
  field(page, fonts, at, 'AUDIT BUNDLE', subject.auditBundle, textWidth);
  field(page, fonts, at, 'ISSUER', `${certificate.issuer.name}, ${certificate.issuer.id}`, textWidth);
  field(page, fonts, at, 'HOW TO VERIFY', `This PDF carries the signed credential (${CERTIFICATE_ATTACHMENT}, a W3C Verifiable Credential, eddsa-rdfc-2022). ` +
    'Check it offline with `impact-ledger verify-certificate <this file> --issuer <did:key published by the issuing organisation>`, ' +
    'and the retirement itself with `impact-ledger verify-bundle` on the audit bundle.', textWidth);
  const qrX = pageWidth - MARGIN - QR_SIZE;
  drawQr(doc, page, subject.proofId, { x: qrX, y: pageHeight - MARGIN - 110 - QR_SIZE, size: QR_SIZE });
  page.drawText('proof id', { x: qrX + 8, y: pageHeight - MARGIN - 122 - QR_SIZE, size: 8, font: fonts.regular, color: MUTED });
  drawQr(doc, page, subject.auditBundle, { x: qrX, y: pageHeight - MARGIN - 150 - 2 * QR_SIZE, size: QR_SIZE });
  page.drawText('audit bundle', { x: qrX + 8, y: pageHeight - MARGIN - 162 - 2 * QR_SIZE, size: 8, font: fonts.regular, color: MUTED });
  // keys sorted: the same certificate gives the same PDF whatever order its JSON came in
  await doc.attach(new TextEncoder().encode(`${JSON.stringify(sortKeysDeep(certificate), null, 2)}\n`), CERTIFICATE_ATTACHMENT, {
    mimeType: 'application/json', description: 'the signed retirement certificate (W3C Verifiable Credential)', creationDate: date, modificationDate: date,
  });
  return doc.save({ useObjectStreams: false });
}

function nameOf(value: unknown): string | undefined {
  if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  return undefined;
}

/** The bytes of the file attached to `pdf` under `name`; undefined when there is none. Throws when `pdf` is not a PDF. */
export async function pdfAttachment(pdf: Uint8Array, name: string = CERTIFICATE_ATTACHMENT): Promise<Uint8Array | undefined> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const embedded = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const list = embedded?.lookupMaybe(PDFName.of('Names'), PDFArray);
  if (list === undefined) return undefined;
  for (let index = 0; index + 1 < list.size(); index += 2) {
    if (nameOf(list.lookup(index)) !== name) continue;
    const spec = list.lookup(index + 1, PDFDict);
    const stream = spec.lookup(PDFName.of('EF'), PDFDict).lookup(PDFName.of('F'));
    return stream instanceof PDFRawStream ? decodePDFRawStream(stream).decode() : undefined;
  }
  return undefined;
}
