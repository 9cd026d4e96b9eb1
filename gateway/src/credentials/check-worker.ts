/**
 * A credential-check worker thread of {@link threadPoolChecker}: runs one check per task with the
 * static document loader and answers with its result, or with the CredentialError it threw.
 */
import type { CheckAnswer, CheckTask } from './checker.js';
import { checkCredential, checkCredentialIntegrity, createStaticDocumentLoader, CredentialError, type CredentialPolicy } from '@impact-ledger/credentials';

const documentLoader = createStaticDocumentLoader();

export default async function check(task: CheckTask): Promise<CheckAnswer> {
  const options = { documentLoader, now: new Date(task.now), maxBytes: task.maxBytes };
  try {
    const result = task.kind === 'check'
      ? await checkCredential(task.credential, task.policy as CredentialPolicy, options)
      : await checkCredentialIntegrity(task.credential, task.policy, options);
    return { result };
  } catch (error) {
    if (error instanceof CredentialError) return { error: { code: error.code, message: error.message, details: error.details } };
    throw error;
  }
}
