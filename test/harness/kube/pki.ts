import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Files of one cluster's PKI, all PEM. */
export interface ClusterPki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** Service-account token signing key (private) and its public half for verification. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[], what: string): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl failed to ${what}: ${stderr || (err as Error).message}`, { cause: err });
  }
}

async function ecKey(path: string): Promise<void> {
  await openssl(
    ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path],
    `create the key ${path}`,
  );
}

interface LeafSpec {
  name: string;
  subject: string;
  usage: 'serverAuth' | 'clientAuth';
  altNames?: string[];
}

/** A key and a certificate signed by the cluster CA; returns [cert, key] paths. */
async function leaf(dir: string, pki: Pick<ClusterPki, 'caCert' | 'caKey'>, spec: LeafSpec) {
  const key = join(dir, `${spec.name}.key`);
  const csr = join(dir, `${spec.name}.csr`);
  const cert = join(dir, `${spec.name}.crt`);
  const ext = join(dir, `${spec.name}.ext`);
  await ecKey(key);
  const lines = [
    '[v3]',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${spec.usage}`,
  ];
  if (spec.altNames) lines.push(`subjectAltName=${spec.altNames.join(',')}`);
  await writeFile(ext, `${lines.join('\n')}\n`);
  await openssl(['req', '-new', '-key', key, '-subj', spec.subject, '-out', csr], `request ${cert}`);
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-set_serial', serial(),
      '-days', '3650', '-extfile', ext, '-extensions', 'v3', '-out', cert],
    `sign ${cert}`,
  );
  return [cert, key] as const;
}

function serial(): string {
  return `0x${randomBytes(12).toString('hex')}`;
}

/**
 * Creates a CA, the API server's serving certificate (for the cluster's address and the in-cluster names),
 * an admin client certificate (group system:masters) and the service-account signing key pair.
 */
export async function createClusterPki(dir: string, cluster: string, address: string, serviceIp: string): Promise<ClusterPki> {
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.crt');
  const caConf = join(dir, 'ca.cnf');
  await ecKey(caKey);
  await writeFile(
    caConf,
    [
      '[req]', 'distinguished_name=dn', '[dn]', '[v3_ca]',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier=hash', '',
    ].join('\n'),
  );
  await openssl(
    ['req', '-x509', '-new', '-key', caKey, '-subj', `/CN=meshops-test-${cluster}-ca`, '-days', '3650',
      '-config', caConf, '-extensions', 'v3_ca', '-out', caCert],
    `create the ${cluster} CA`,
  );
  const ca = { caCert, caKey };
  const names = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost'];
  const [[servingCert, servingKey], [adminCert, adminKey]] = await Promise.all([
    leaf(dir, ca, {
      name: 'apiserver',
      subject: `/CN=kube-apiserver-${cluster}`,
      usage: 'serverAuth',
      altNames: [`IP:${address}`, `IP:${serviceIp}`, ...names.map((n) => `DNS:${n}`)],
    }),
    leaf(dir, ca, { name: 'admin', subject: '/O=system:masters/CN=meshops-test-admin', usage: 'clientAuth' }),
  ]);
  const serviceAccountKey = join(dir, 'sa.key');
  const serviceAccountPub = join(dir, 'sa.pub');
  await ecKey(serviceAccountKey);
  await openssl(['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub], 'derive sa.pub');
  return { caCert, caKey, servingCert, servingKey, adminCert, adminKey, serviceAccountKey, serviceAccountPub };
}
