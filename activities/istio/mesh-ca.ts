import { constants, generateKeyPair, privateEncrypt, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

/** The mesh's shared root: both clusters' intermediates chain to it, so mTLS works across them. */
export interface RootCa {
  certPem: string;
  keyPem: string;
}

/** The four files of Istio's `cacerts` Secret (plug-in CA), as istiod reads them. */
export interface Cacerts {
  'ca-cert.pem': string;
  'ca-key.pem': string;
  'root-cert.pem': string;
  'cert-chain.pem': string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const generateKeyPairAsync = promisify(generateKeyPair);

async function keyPair(bits: number): Promise<{ publicKey: forge.pki.PublicKey; keyPem: string }> {
  // Node's native RSA generation, off the event loop (libuv's thread pool): an RSA-4096 key takes
  // seconds, which would stall the heartbeats of every other activity on the worker.
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), keyPem: privateKey };
}

/** DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2): what RSASSA-PKCS1-v1_5 signs. */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Signs a certificate with Node's native RSA instead of node-forge's pure-JS big integers (seconds
 * per RSA-4096 signature on a busy machine): forge builds and digests the TBSCertificate, this
 * produces the PKCS#1 v1.5 signature over it.
 */
function signNatively(cert: forge.pki.Certificate, keyPem: string): void {
  const signer = {
    sign: (md: forge.md.MessageDigest) => {
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')]);
      return privateEncrypt({ key: keyPem, padding: constants.RSA_PKCS1_PADDING }, digestInfo).toString('binary');
    },
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
}

function serial(): string {
  // Positive 128-bit serial: clear the top bit so DER does not read it as negative.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/** Generates a self-signed root CA (RSA 4096, 10 years) like Istio's tools/certs Makefile. */
export async function generateRootCa(meshId: string, now = new Date()): Promise<RootCa> {
  const { publicKey, keyPem } = await keyPair(4096);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + 3650 * DAY_MS);
  const subject = [
    { name: 'organizationName', value: 'Istio' },
    { name: 'commonName', value: `Root CA ${meshId}` },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signNatively(cert, keyPem);
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

/** Issues a cluster's intermediate CA (RSA 2048, 2 years) from the root and returns its `cacerts` files. */
export async function issueClusterCa(root: RootCa, clusterName: string, now = new Date()): Promise<Cacerts> {
  const rootCert = forge.pki.certificateFromPem(root.certPem);
  const { publicKey, keyPem } = await keyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(Math.min(now.getTime() + 730 * DAY_MS, rootCert.validity.notAfter.getTime()));
  cert.setSubject([
    { name: 'organizationName', value: 'Istio' },
    { name: 'commonName', value: 'Intermediate CA' },
    { name: 'localityName', value: clusterName },
  ]);
  cert.setIssuer(rootCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes() },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'istiod.istio-system.svc' }] },
  ]);
  signNatively(cert, root.keyPem);
  const caCert = forge.pki.certificateToPem(cert);
  return {
    'ca-cert.pem': caCert,
    'ca-key.pem': keyPem,
    'root-cert.pem': root.certPem,
    'cert-chain.pem': caCert + root.certPem,
  };
}

/** Checks that a PEM pair is a usable root: parses, is a CA, and the key matches the certificate. */
export function validateRootCa(root: RootCa, source: string): RootCa {
  let cert: forge.pki.Certificate;
  let key: forge.pki.rsa.PrivateKey;
  try {
    cert = forge.pki.certificateFromPem(root.certPem);
  } catch (err) {
    throw new Error(`${source}: root-cert.pem is not a PEM certificate (${(err as Error).message}); supply an RSA CA certificate.`, { cause: err });
  }
  try {
    key = forge.pki.privateKeyFromPem(root.keyPem) as forge.pki.rsa.PrivateKey;
  } catch (err) {
    throw new Error(`${source}: root-key.pem is not a PEM RSA private key (${(err as Error).message}); supply the root's RSA key.`, { cause: err });
  }
  const basic = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  if (!basic?.cA) throw new Error(`${source}: root-cert.pem is not a CA certificate (basicConstraints CA:TRUE is missing); supply a CA.`);
  const pub = cert.publicKey as forge.pki.rsa.PublicKey;
  if (pub.n.compareTo(key.n) !== 0) throw new Error(`${source}: root-key.pem does not belong to root-cert.pem; supply the matching pair.`);
  return root;
}

/** Whether `certPem` was signed by the root (used to keep an existing `cacerts` on re-runs). */
export function issuedBy(certPem: string, root: RootCa): boolean {
  try {
    return forge.pki.certificateFromPem(root.certPem).verify(forge.pki.certificateFromPem(certPem));
  } catch {
    return false;
  }
}
