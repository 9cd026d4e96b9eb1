/** The client's side of client-signed transactions: pure encodings and the signing-step follower (Node and browser). */
export { derOfScalars, isLowS, lowS, p1363ToLowSDer, P256_ORDER, scalarsOfDer, SignatureEncodingError } from './ecdsa.js';
export { base64ToBytes, bytesToBase64, derOfPem, EncodingError, pemBlocks, spkiOfCertificateDer } from './der.js';
export { describeSigningMessage, type SignedContent, type SigningStepName } from './fabric-messages.js';
export {
  checkSigningStep, ClientSigningError, followSigning, parseSigningStep, signerFromWallet, webCryptoSigner,
  type ClientSigner, type ClientSigningCode, type FollowOptions, type HttpAnswer, type SigningExpectation, type SigningProgress, type SigningStep, type WebCryptoKey,
} from './client.js';
