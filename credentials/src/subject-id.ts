/**
 * The canonical form of a credential subject's id, from which its pseudonym is derived: one person,
 * one form, one pseudonym. A pure function with no Fabric, HTTP or crypto imports, so the chaincode
 * can run the same check later.
 *
 * - Refused: any invisible, format, control or separator character (Unicode Cf, Cc, Z*, surrogate
 *   and private-use code points), e.g. a zero-width space, a no-break space, a BOM.
 * - Folded: Unicode NFKC, so canonically equivalent forms (café in NFC and NFD) and compatibility
 *   forms (a fullwidth digit, a ligature) give the same id; NFC alone would keep a fullwidth "１"
 *   apart from "1". Digits left outside ASCII after folding (e.g. Arabic-Indic) are refused, so no
 *   digit has two spellings.
 * - Accepted: a DID (W3C DID Core: `did:` method-name `:` method-specific-id, ASCII idchars and
 *   percent-encodings, hex uppercased) or a WHATWG URL with scheme http, https or urn (its
 *   serialisation: lowercased scheme and host, percent-encoded path, percent hex uppercased).
 * Anything else is refused; the caller answers 422 INVALID_SUBJECT_ID.
 */

/** The canonical subject id, or why the id is refused. */
export type SubjectIdCheck = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly reason: string };

/** Longest accepted subject id, in UTF-16 code units. */
export const MAX_SUBJECT_ID_LENGTH = 2048;

const INVISIBLE = /[\p{Cf}\p{Cc}\p{Z}\p{Cs}\p{Co}]/u;
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/u;
/** did = "did:" method-name ":" method-specific-id; idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded. */
const DID = /^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/;
/** RFC 8141: urn:NID:NSS with a 2..32 character namespace id. */
const URN = /^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9]:[^\s]+$/i;
const URL_SCHEMES = new Set(['http:', 'https:', 'urn:']);

function refused(reason: string): SubjectIdCheck {
  return { ok: false, reason };
}

function upperPercent(value: string): string {
  return value.replace(/%[0-9a-f]{2}/gi, (escape) => escape.toUpperCase());
}

function canonicalUrl(id: string): SubjectIdCheck {
  let url: URL;
  try {
    url = new URL(id);
  } catch {
    return refused('it is neither a DID (did:method:id) nor a URL (http, https or urn)');
  }
  if (!URL_SCHEMES.has(url.protocol)) return refused(`URL scheme ${url.protocol.slice(0, -1)} is not accepted; use a DID or an http, https or urn URL`);
  if (url.protocol === 'urn:' && !URN.test(id)) return refused('it is not a URN (urn:<namespace>:<specific string>)');
  return { ok: true, value: upperPercent(url.href) };
}

/** The canonical form of a credential subject id, or why it is refused. */
export function canonicalSubjectId(id: string): SubjectIdCheck {
  if (id.length === 0 || id.length > MAX_SUBJECT_ID_LENGTH) return refused(`it must have 1 to ${MAX_SUBJECT_ID_LENGTH} characters`);
  const invisible = INVISIBLE.exec(id);
  if (invisible !== null) {
    const codePoint = (invisible[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return refused(`it contains U+${codePoint}, an invisible, control or separator character`);
  }
  const folded = id.normalize('NFKC');
  if (NON_ASCII_DIGIT.test(folded)) return refused('it contains a digit outside 0-9');
  if (/^did:/i.test(folded)) {
    if (!DID.test(folded)) return refused('it is not a DID: did:<method>:<id> with lowercase method and ASCII letters, digits, ".", "-", "_" or %-escapes');
    return { ok: true, value: upperPercent(folded) };
  }
  return canonicalUrl(folded);
}
