/**
 * Reading a PDF back in tests, independently of the code that wrote it: the text its pages draw
 * (pdf-lib to walk the objects, zlib-decoded content streams, the strings of Tj/TJ operators),
 * its images as RGBA pixels, and the QR codes in them (jsQR).
 */
import jsQR from 'jsqr';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRawStream, type PDFObject } from 'pdf-lib';

function streamBytes(stream: PDFRawStream): Uint8Array {
  const filter = stream.dict.get(PDFName.of('Filter'));
  return filter === undefined ? stream.contents : inflateSync(stream.contents);
}

function numberOf(dict: PDFDict, key: string): number {
  const value = dict.get(PDFName.of(key));
  if (!(value instanceof PDFNumber)) throw new Error(`no /${key}`);
  return value.asNumber();
}

/** The text drawn on every page, one string per Tj/TJ operand (hex or literal strings, WinAnsi ≈ latin1). */
export async function pdfText(pdf: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(pdf);
  const strings: string[] = [];
  for (const page of doc.getPages()) {
    const contents: PDFObject | undefined = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      const text = Buffer.from(streamBytes(stream)).toString('latin1');
      for (const match of text.matchAll(/<([0-9A-Fa-f]*)>\s*Tj|\(((?:\\.|[^\\)])*)\)\s*Tj/g)) {
        strings.push(match[1] !== undefined ? Buffer.from(match[1], 'hex').toString('latin1') : (match[2] ?? '').replace(/\\(.)/g, '$1'));
      }
    }
  }
  return strings;
}

const UPSCALE = 4;

/** The payloads of the QR codes found in the PDF's images (8-bit RGB or gray, Flate or raw). */
export async function pdfQrCodes(pdf: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(pdf);
  const found: string[] = [];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream) || object.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const width = numberOf(object.dict, 'Width');
    const height = numberOf(object.dict, 'Height');
    const bytes = streamBytes(object);
    const channels = bytes.length / (width * height);
    if (channels !== 3 && channels !== 1) continue; // soft masks and other layouts
    // as a viewer shows it: each pixel UPSCALE times wider and taller (a one-pixel-per-module image is too small to scan)
    const w = width * UPSCALE;
    const h = height * UPSCALE;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y += 1) {
      for (let x = 0; x < w; x += 1) {
        const source = Math.floor(y / UPSCALE) * width + Math.floor(x / UPSCALE);
        for (let c = 0; c < 3; c += 1) rgba[(y * w + x) * 4 + c] = bytes[source * channels + (channels === 3 ? c : 0)] ?? 0;
        rgba[(y * w + x) * 4 + 3] = 255;
      }
    }
    const code = jsQR(rgba, w, h);
    if (code !== null) found.push(code.data);
  }
  return found;
}

/** The document's keywords (Info dictionary). */
export async function pdfKeywords(pdf: Uint8Array): Promise<string> {
  return (await PDFDocument.load(pdf, { updateMetadata: false })).getKeywords() ?? '';
}
