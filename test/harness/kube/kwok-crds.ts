import { readFile } from 'node:fs/promises';
import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../activities/kube/kube-object';
import { RawObjectApi } from '../../../activities/kube/raw-object-api';
import { until } from './wait';

/** kwok's CRDs (PortForward) from its release, applied and Established before kwok starts watching them. */
export async function applyKwokCrds(kc: KubeConfig, file: string): Promise<void> {
  const crds = parseAllDocuments(await readFile(file, 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o);
  const api = RawObjectApi.forKubeConfig(kc);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    await api.serverSideApply(crd, 'meshops-harness');
    await until(`kwok's CRD ${crd.metadata.name} to be Established`, async () => {
      const live = await extensions.readCustomResourceDefinition({ name: crd.metadata.name });
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') || 'not yet';
    });
  }
}
