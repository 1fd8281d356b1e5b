import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** What a kubeconfig context needs: the server, its CA and the admin client certificate. */
export interface ContextSpec {
  name: string;
  server: string;
  caCertFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

const base64 = (file: string) => readFileSync(file).toString('base64');

/** Writes a self-contained kubeconfig (certificates inlined) with one context per spec. */
export async function writeKubeconfig(path: string, contexts: ContextSpec[], current = contexts[0].name) {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': current,
    clusters: contexts.map((c) => ({
      name: c.name,
      cluster: { server: c.server, 'certificate-authority-data': base64(c.caCertFile) },
    })),
    users: contexts.map((c) => ({
      name: `${c.name}-admin`,
      user: {
        'client-certificate-data': base64(c.clientCertFile),
        'client-key-data': base64(c.clientKeyFile),
      },
    })),
    contexts: contexts.map((c) => ({
      name: c.name,
      context: { cluster: c.name, user: `${c.name}-admin` },
    })),
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
}
