/**
 * Routes of retirement certificates: `GET /v1/proofs/{id}/retirement-certificate` (the signed
 * credential as JSON, or its PDF rendering with `?format=pdf` or `Accept: application/pdf`) and
 * `GET /v1/certificate-issuer` (the did:key this organisation signs certificates with). Any
 * authenticated caller; only the retiring organisation's gateway issues a proof's certificate.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { retirementCertificate, retirementOf, RetirementCertificateSchema } from '../certificates/certificate.js';
import { CertificateIssuerSchema } from '../certificates/issuer-key.js';
import { renderCertificatePdf } from '../certificates/pdf.js';
import { signRetirementCertificate } from '../certificates/sign-verify.js';
import { ApiError } from '../problem.js';
import type { CertificateSettings, RouteContext, TypedApp } from './context.js';
import { Hex64, problemResponse, READ_PROBLEMS, responses } from './schemas.js';

const PDF = 'application/pdf';

function settingsOf(context: RouteContext): CertificateSettings {
  const settings = context.services.certificates;
  if (settings === undefined) throw new ApiError(503, 'CERTIFICATES_UNAVAILABLE', 'this gateway has no certificate issuer key; it issues no retirement certificates');
  return settings;
}

/** PDF when `?format=pdf`, or when no format is asked and the Accept header prefers application/pdf to JSON. */
function wantsPdf(request: FastifyRequest, format: string | undefined): boolean {
  if (format !== undefined) return format === 'pdf';
  const accept = request.headers.accept ?? '';
  return accept.includes(PDF) && !accept.includes('application/json');
}

/** Registers the certificate routes. */
export function certificateRoutes(app: TypedApp, context: RouteContext): void {
  app.get('/v1/proofs/:id/retirement-certificate', {
    schema: {
      tags: ['proofs'],
      summary: 'The retirement certificate of a retired proof: a W3C Verifiable Credential signed by the retiring organisation (JSON), or its PDF (`?format=pdf` or `Accept: application/pdf`)',
      description: 'Only the gateway of the organisation that retired the proof issues its certificate (409 RETIRED_BY_OTHER_ORGANISATION names it); a proof that is not retired is 409 PROOF_NOT_RETIRED. ' +
        'Verify offline with `impact-ledger verify-certificate` (JSON or PDF, which carries the credential as an attachment) against the issuer published at `GET /v1/certificate-issuer`.',
      params: Type.Object({ id: Hex64 }),
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pdf')])) }, { additionalProperties: false }),
      produces: ['application/json', PDF],
      response: {
        ...responses({}, [...READ_PROBLEMS]),
        200: Type.Unsafe({
          description: 'the certificate: the credential (application/json) or its PDF rendering (application/pdf)',
          content: { 'application/json': { schema: RetirementCertificateSchema }, [PDF]: { schema: Type.String({ format: 'binary' }) } },
        }),
        409: problemResponse(409),
      },
    },
  }, async (request, reply) => {
    const settings = settingsOf(context);
    const proof = await context.chaincode(request).proofs.get(request.params.id);
    const { retirement } = retirementOf(proof);
    const { ledger } = context.services;
    const unsigned = retirementCertificate(proof, {
      blockNumber: await ledger.blockOf(retirement.txId), channel: ledger.channel, chaincode: ledger.chaincode, publicUrl: settings.publicUrl(),
    }, { mspId: settings.key.mspId, did: settings.key.info.did });
    const certificate = await signRetirementCertificate(unsigned, settings.key, context.services.credentials.documentLoader);
    if (wantsPdf(request, request.query.format)) {
      const pdf = await renderCertificatePdf(certificate);
      return reply.type(PDF).header('content-disposition', `attachment; filename="retirement-certificate-${proof.id}.pdf"`).send(Buffer.from(pdf));
    }
    return reply.type('application/json; charset=utf-8').send(certificate);
  });

  app.get('/v1/certificate-issuer', {
    schema: {
      tags: ['proofs'],
      summary: "The did:key this organisation signs retirement certificates with (publish it; verifiers pin it with `impact-ledger verify-certificate --issuer`)",
      response: responses({ 200: CertificateIssuerSchema }, [400, 401, 503]),
    },
  }, () => settingsOf(context).key.info);
}
