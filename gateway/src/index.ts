/**
 * @impact-ledger/gateway: the HTTP gateway of impact-ledger: the app factory, the server, its
 * configuration, and where it runs credential checks (the checks themselves are
 * @impact-ledger/credentials, shared with the chaincode).
 */
export { DEFAULT_CHECK_THREADS, DEFAULT_CREDENTIAL_PRECHECK, inlineChecker, threadPoolChecker, type CredentialChecker, type CredentialPrecheck } from './credentials/checker.js';
export { buildApp, type AppOptions } from './app.js';
export { startGateway, type RunningGateway, type StartOptions } from './server.js';
export { loadConfig, loadApiKeys, tokenHash, ConfigError, type GatewayConfig, type ApiKey, type ConnectionLimits } from './config.js';
export { ApiError, type Problem } from './problem.js';
export { createAuthenticator, type Authenticator, type Caller } from './auth.js';
export { createMetrics, type GatewayMetrics } from './metrics.js';
export type { GatewayServices, TypedApp } from './routes/context.js';
export { createEventFeed, RECENT_EVENTS, type EventFeed, type FeedReader } from './fabric/event-feed.js';
export { parseEventId, type EventPosition, type FeedEvent } from './fabric/event-feed.js';
export { openIdempotencyStore, idempotencyJournalPath, type IdempotencyStore, type TransactionAttempt, type StoredResponse } from './idempotency.js';
export { openLedger, type Ledger, type PreparedTransaction, type Committed } from './fabric/ledger.js';
export { keySigning, type KeySigning } from './fabric/signing-key.js';
export { chaincodeClient, ledgerTransport, type ChaincodeTransport, type ImpactChaincode } from './fabric/chaincode-client.js';
export { loadOrgNetwork, type OrgNetwork } from './fabric/network-info.js';
export { PeerPool, isPeerDown, peerClient, type CloseableStream, type PeerConnection, type PeerPoolOptions, type PeerState, type PeerSwitch, type PeerTarget } from './fabric/peers.js';
export * from './reports/index.js';
export { verifyAuditBundle, type VerifyOptions } from './audit/verify.js';
export { AUDIT_BUNDLE_FORMAT, VERIFY_STEPS, type AuditBundle, type VerifyFailure, type VerifyReport, type VerifyStep } from './audit/bundle.js';
export { blockHash, blockHeaderBytes, bftQuorum, genesisBlockHash, requiredOrdererSignatures } from './audit/verify.js';
export { newKeyAndRequest, inspectRequest, type KeyAndRequest } from './enrol/csr.js';
export { caToken, enrollWithSecret, lowSSignature, parseCaAnswer, reenrollWithKey, type CaAnswer } from './enrol/ca-client.js';
export { keyFileName, loadWallet, storeWallet, type Wallet, type WalletInfo } from './enrol/wallet.js';
export {
  assertIssuedHere, auditBundleUrl, parseRetirementCertificate, retirementCertificate, retirementOf, RETIREMENT_CERTIFICATE_TYPE, RetirementCertificateSchema,
  type CertificateIssuer, type CertificateSubject, type RetirementCertificate, type RetirementFacts,
} from './certificates/certificate.js';
export { CERTIFICATE_ISSUER_FILE, CERTIFICATE_KEY_FILE, loadOrCreateCertificateKey, type CertificateIssuerInfo, type CertificateKey } from './certificates/issuer-key.js';
export { CERTIFICATE_ATTACHMENT, pdfAttachment, QR_KEYWORDS, renderCertificatePdf } from './certificates/pdf.js';
export { signRetirementCertificate, verifyRetirementCertificate, type CertificateFailure, type CertificateReport, type CertificateVerifyOptions } from './certificates/sign-verify.js';
export { campaignsFor, refusalOutcome, parseCheckpoint, type Checkpoint, type RefusalOutcome } from './settlement/rules.js';
export { startSettlementWorker, readCheckpoint, type SettlementWorker, type SettlementWorkerOptions, type WorkerOutcome } from './settlement/worker.js';
export { PRODUCTION_MEASURES, productionCredential, productionProtocol, productionSubjectSchema, type ProductionMeasure } from './demo/production-data.js';
export { COMMANDS as CLI_COMMANDS, commandHelp, type Command as CliCommand } from './cli-commands.js';
export { followSigning, keyObjectSigner, loadSigningKey, loadWalletKey, signingStepOf, SigningRefused, type FollowOptions, type SignableResponse, type SigningKey, type SigningStepBody } from './signing/client.js';
export { encodeDerSignature, isLowS, lowS, normaliseDer, p1363ToDer, parseDerSignature, P256_ORDER, SignatureFormatError, type EcdsaSignature } from './signing/der.js';
export { createSigningSessions, checkSignature, type SigningSessions, type StepSink, type SigningAnswer, type Outcome } from './signing/sessions.js';
export { clientSignerOf, fabricClientId, loadCustody, type ClientSigner, type Custody } from './signing/custody.js';
export { base64ToBytes, bytesToBase64, derOfPem, EncodingError, pemBlocks, spkiOfCertificateDer } from './signing/encoding.js';
export { describeSigningMessage, type SignedContent, type SigningStepName } from './signing/fabric-messages.js';
export {
  checkSigningStep, followSigningSteps, parseSigningStep, signerFromWallet, webCryptoSigner,
  type ClientSigningCode, type HttpAnswer, type SigningExpectation, type SigningProgress, type SigningStep, type StepFollowOptions, type WebCryptoKey, type WebSigner,
} from './signing/web-client.js';
