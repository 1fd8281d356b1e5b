import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRootCa, type RootCa } from './mesh-ca';

/**
 * Loads an operator-supplied root CA from a directory holding `root-cert.pem` and `root-key.pem`
 * (the layout of Istio's tools/certs). Both clusters' intermediates are then issued from it and
 * the key is never written to a cluster.
 */
export function loadRootCaDir(dir: string): RootCa {
  const read = (file: string) => {
    try {
      return readFileSync(join(dir, file), 'utf8');
    } catch (err) {
      throw new Error(`root CA directory ${dir}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); put the root's ${file} there.`, { cause: err });
    }
  };
  return validateRootCa({ certPem: read('root-cert.pem'), keyPem: read('root-key.pem') }, `root CA directory ${dir}`);
}
