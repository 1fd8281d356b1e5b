import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateRootCa, issueClusterCa, issuedBy, validateRootCa, type Cacerts, type RootCa } from '../../activities/istio/mesh-ca';
import { loadRootCaDir } from '../../activities/istio/root-ca-files';

describe('shared root CA for the cacerts of both clusters', () => {
  // RSA 4096 roots take seconds on a busy machine: make the two this file needs once.
  let root: RootCa;
  let other: RootCa;
  let local: Cacerts;
  let remote: Cacerts;
  // Generation runs off the event loop: a timer keeps firing while the root's RSA-4096 key is made.
  let ticksDuringRoot = 0;
  beforeAll(async () => {
    const ticker = setInterval(() => (ticksDuringRoot += 1), 5);
    try {
      root = await generateRootCa('mesh1');
    } finally {
      clearInterval(ticker);
    }
    other = await generateRootCa('mesh2');
    local = await issueClusterCa(root, 'local');
    remote = await issueClusterCa(root, 'remote');
  });

  it('generates keys without blocking the event loop (other activities keep heartbeating)', () => {
    expect(ticksDuringRoot).toBeGreaterThan(0);
  });

  it('makes a self-signed CA root (checked with Node\'s own X.509, not node-forge)', () => {
    const cert = new X509Certificate(root.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain('CN=Root CA mesh1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(root.keyPem))).toBe(true);
  });

  it('issues one intermediate per cluster, both chaining to the same root', () => {
    const rootCert = new X509Certificate(root.certPem);
    for (const [name, files] of [['local', local], ['remote', remote]] as const) {
      const ca = new X509Certificate(files['ca-cert.pem']);
      expect(ca.ca).toBe(true);
      expect(ca.subject).toContain(`L=${name}`);
      expect(ca.checkIssued(rootCert)).toBe(true);
      expect(ca.verify(rootCert.publicKey)).toBe(true);
      expect(ca.checkPrivateKey(createPrivateKey(files['ca-key.pem']))).toBe(true);
      expect(files['root-cert.pem']).toBe(root.certPem);
      expect(files['cert-chain.pem']).toBe(files['ca-cert.pem'] + root.certPem);
    }
    expect(local['ca-cert.pem']).not.toBe(remote['ca-cert.pem']);
    expect(new X509Certificate(local['ca-cert.pem']).serialNumber).not.toBe(new X509Certificate(remote['ca-cert.pem']).serialNumber);
  });

  it('tells an intermediate of this root from one of another root', () => {
    expect(issuedBy(local['ca-cert.pem'], root)).toBe(true);
    expect(issuedBy(local['ca-cert.pem'], other)).toBe(false);
  });

  it('refuses a supplied root whose key does not match, naming the fix', () => {
    expect(() => validateRootCa({ certPem: root.certPem, keyPem: other.keyPem }, 'supplied root')).toThrow(
      'supplied root: root-key.pem does not belong to root-cert.pem; supply the matching pair.',
    );
    expect(() => validateRootCa({ certPem: local['ca-key.pem'], keyPem: root.keyPem }, 'supplied root')).toThrow(/root-cert.pem is not a PEM certificate/);
    expect(() => validateRootCa(root, 'supplied root')).not.toThrow();
  });

  it('never uses Istio\'s sample certificates', () => {
    // The samples' root is "O=Istio, CN=Root CA" with a fixed serial; every generated root is new.
    expect(new X509Certificate(other.certPem).serialNumber).not.toBe(new X509Certificate(root.certPem).serialNumber);
    expect(new X509Certificate(root.certPem).subject).not.toBe('O=Istio\nCN=Root CA');
  });

  it('loads a root supplied by the operator from a directory, naming a missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshops-root-'));
    expect(() => loadRootCaDir(dir)).toThrow(`root CA directory ${dir}: cannot read root-cert.pem (ENOENT); put the root's root-cert.pem there.`);
    writeFileSync(join(dir, 'root-cert.pem'), root.certPem);
    writeFileSync(join(dir, 'root-key.pem'), root.keyPem);
    expect(loadRootCaDir(dir)).toEqual(root);
  });
});
