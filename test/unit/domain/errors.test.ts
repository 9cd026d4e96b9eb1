import { expect } from 'chai';
import { ChaincodeError, ErrorCodes, isErrorCode } from '@impact-ledger/chaincode/errors';
import { chaincodeEventNames, ChaincodeEvents, isChaincodeEventName } from '@impact-ledger/chaincode/events';
import { CREDENTIAL_REFUSAL_CODES } from '@impact-ledger/credentials';

describe('ChaincodeError wire form', () => {
  const error = new ChaincodeError('DOUBLE_COUNTING', 'already counted {on} 2026-05-31', { conflictingClaimId: 'c1', day: '2026-05-31' });

  it('encodes code, message and details as JSON', () => {
    expect(JSON.parse(error.toWire())).to.deep.equal({ code: 'DOUBLE_COUNTING', message: 'already counted {on} 2026-05-31', details: { conflictingClaimId: 'c1', day: '2026-05-31' } });
    expect(new ChaincodeError('NOT_FOUND', 'x').toWire()).to.equal('{"code":"NOT_FOUND","message":"x"}');
  });

  it('decodes the JSON inside a peer message with a prefix and trailing text', () => {
    for (const message of [error.toWire(), `chaincode response 500, ${error.toWire()}`, `endorse failed: ${error.toWire()} (peer0) {x}`]) {
      const decoded = ChaincodeError.fromWire(message);
      expect(decoded?.code).to.equal('DOUBLE_COUNTING');
      expect(decoded?.message).to.equal(error.message);
      expect(decoded?.details).to.deep.equal(error.details);
    }
  });

  it('returns undefined for messages without a chaincode error', () => {
    for (const message of ['', 'no json', '{"code":"NOPE","message":"x"}', '{"code":"NOT_FOUND"}', '{broken', '{"code":"NOT_FOUND","message":"m","details":[1]}']) {
      expect(ChaincodeError.fromWire(message), message).to.equal(undefined);
    }
  });

  it('has stable, unique codes including the ones the gateway maps', () => {
    expect(new Set(ErrorCodes).size).to.equal(ErrorCodes.length);
    for (const code of ['DOUBLE_COUNTING', 'QUORUM_CLOSED', 'FORBIDDEN_ROLE', 'CREDENTIAL_REPLAYED', 'INTERNAL']) expect(isErrorCode(code)).to.equal(true);
    expect(isErrorCode('double_counting')).to.equal(false);
  });
});

describe('event names', () => {
  it('are one const object whose keys equal its values', () => {
    for (const [key, value] of Object.entries(ChaincodeEvents)) expect(key).to.equal(value);
    expect(chaincodeEventNames).to.include('ProofIssued');
    expect(isChaincodeEventName('ProofIssued')).to.equal(true);
    expect(isChaincodeEventName('ProofSplit')).to.equal(false);
  });
});

describe('credential refusal codes', () => {
  it('are chaincode error codes, so the endorsing peers refuse with the codes the gateway gives', () => {
    for (const code of [...CREDENTIAL_REFUSAL_CODES, 'INVALID_CREDENTIAL', 'INVALID_PROTOCOL_SCHEMA']) expect(isErrorCode(code), code).to.equal(true);
    expect(ErrorCodes).to.include('TX_TIMESTAMP_SKEW');
  });
});
