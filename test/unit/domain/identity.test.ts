import { expect } from 'chai';
import { X509Certificate } from 'node:crypto';
import {
  assertCanManageRoles, formatIdentity, grantRole, isOperatorSubject, organizationalUnits, parseIdentity, parseRole, revokeRole,
} from '@impact-ledger/chaincode/domain';
import { certificatePem } from '../../helpers/certificates';
import { expectCode, identityOf, org1Operator, org2Operator, stamp, submitter } from '../../helpers/domain-fixtures';

describe('identity strings', () => {
  it('formats and parses MSPID::x509::subject::issuer', () => {
    const id = 'x509::/C=US/OU=client/CN=User1@org1.example.com::/C=US/CN=ca.org1.example.com';
    const identity = formatIdentity('Org1MSP', id);
    expect(identity).to.equal(`Org1MSP::${id}`);
    expect(parseIdentity(identity)).to.deep.equal({ mspId: 'Org1MSP', id });
  });

  it('refuses malformed identity strings, naming the field', () => {
    for (const bad of ['', 'Org1MSP', 'Org1MSP::x509::/CN=a', '::x509::/CN=a::/CN=b', 'Org 1::x509::a::b', 'Org1MSP::idemix::a::b', 'Org1MSP::x509::a\u0000::b', 42]) {
      const error = expectCode(() => parseIdentity(bad, 'newOwner'), 'INVALID_ARGUMENT');
      expect(error.details?.field).to.equal('newOwner');
    }
  });
});

describe('operator by NodeOU', () => {
  it('reads every OU of a subject, including multi-valued RDNs', () => {
    expect(organizationalUnits('C=US\nO=org1\nOU=admin\nOU=org1\nCN=Admin@org1')).to.deep.equal(['admin', 'org1']);
    expect(organizationalUnits('C=US\nOU=client + OU=admin\nCN=x')).to.deep.equal(['client', 'admin']);
    expect(isOperatorSubject('C=US\nOU=client\nCN=User1')).to.equal(false);
    expect(isOperatorSubject('C=US\nOU=administrator\nCN=User1')).to.equal(false);
  });

  it('recognises admin in a real certificate with two OUs', () => {
    const pem = certificatePem('/C=US/O=org1/OU=org1/OU=admin/CN=Admin@org1');
    expect(isOperatorSubject(new X509Certificate(pem).subject)).to.equal(true);
    expect(isOperatorSubject(new X509Certificate(certificatePem('/C=US/O=org1/OU=client/CN=User1@org1')).subject)).to.equal(false);
  });
});

describe('role grants', () => {
  const target = { identity: identityOf('Org1MSP', 'User2@org1'), ...parseIdentity(identityOf('Org1MSP', 'User2@org1')) };

  it('lets an operator manage only its own MSP', () => {
    assertCanManageRoles(org1Operator, target);
    const foreign = expectCode(() => assertCanManageRoles(org2Operator, target), 'FOREIGN_MSP');
    expect(foreign.message).to.contain('Org1MSP');
    expectCode(() => assertCanManageRoles(submitter, target), 'FORBIDDEN_ROLE');
  });

  it('keeps an append-only history of grants and revocations', () => {
    const granted = grantRole(undefined, target, 'verifier', stamp(org1Operator, 1));
    const revoked = revokeRole(granted, target.identity, 'verifier', stamp(org1Operator, 2));
    const regranted = grantRole(revoked, target, 'verifier', stamp(org1Operator, 3));
    expect(granted.active).to.equal(true);
    expect(revoked.active).to.equal(false);
    expect(regranted.history.map((h) => [h.action, h.txId])).to.deep.equal([['grant', 'tx1'], ['revoke', 'tx2'], ['grant', 'tx3']]);
    expect(regranted.history[0]?.actor).to.equal(org1Operator.identity);
  });

  it('refuses to revoke what is not granted and unknown role names', () => {
    expectCode(() => revokeRole(undefined, target.identity, 'funder', stamp(org1Operator)), 'NOT_FOUND');
    const revoked = revokeRole(grantRole(undefined, target, 'funder', stamp(org1Operator)), target.identity, 'funder', stamp(org1Operator, 2));
    expectCode(() => revokeRole(revoked, target.identity, 'funder', stamp(org1Operator, 3)), 'NOT_FOUND');
    expectCode(() => parseRole('operator'), 'INVALID_ARGUMENT');
    expectCode(() => parseRole('admin'), 'INVALID_ARGUMENT');
  });
});
