import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CoreV1Api, V1Container, V1KeyToPath, V1ObjectFieldSelector, V1Pod, V1Volume } from '@kubernetes/client-node';

/**
 * A container runtime's mounts, for a container the agent runs as a host process: each volume the
 * container mounts is written under the pod's root directory at its mount path, and the process
 * runs with that directory as its working directory. Istio's binaries read their files through
 * relative paths (`./etc/cacerts`, `./var/run/secrets/tokens/istio-token`), exactly so that they
 * run like this outside a container.
 */
export async function mountVolumes(core: CoreV1Api, pod: V1Pod, container: V1Container, root: string): Promise<void> {
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.get(mount.name);
    if (!volume) throw new Error(`container ${container.name} mounts volume ${mount.name}, which the pod does not have`);
    const dir = join(root, mount.mountPath, mount.subPath ?? '');
    await mkdir(dir, { recursive: true });
    for (const [path, content] of await volumeFiles(core, pod, volume)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content, { mode: 0o600 });
    }
  }
}

type Files = [path: string, content: Buffer][];

function pick(data: Record<string, Buffer>, items: V1KeyToPath[] | undefined): Files {
  if (!items) return Object.entries(data);
  return items.filter((i) => data[i.key]).map((i) => [i.path, data[i.key]]);
}

async function configMapData(core: CoreV1Api, namespace: string, name: string, optional?: boolean): Promise<Record<string, Buffer>> {
  try {
    const cm = await core.readNamespacedConfigMap({ name, namespace });
    return {
      ...Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
      ...Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    };
  } catch (err) {
    if (optional && (err as { code?: number }).code === 404) return {};
    throw err;
  }
}

async function secretData(core: CoreV1Api, namespace: string, name: string, optional?: boolean): Promise<Record<string, Buffer>> {
  try {
    const secret = await core.readNamespacedSecret({ name, namespace });
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  } catch (err) {
    if (optional && (err as { code?: number }).code === 404) return {};
    throw err;
  }
}

function fieldValue(pod: V1Pod, ref: V1ObjectFieldSelector): string {
  const meta = pod.metadata ?? {};
  const format = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
  switch (ref.fieldPath) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return format(meta.labels);
    case 'metadata.annotations':
      return format(meta.annotations);
    default: {
      const label = /^metadata\.labels\['(.+)'\]$/.exec(ref.fieldPath);
      if (label) return meta.labels?.[label[1]] ?? '';
      const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(ref.fieldPath);
      if (annotation) return meta.annotations?.[annotation[1]] ?? '';
      throw new Error(`the harness's downward API does not know fieldPath ${ref.fieldPath}`);
    }
  }
}

async function serviceAccountToken(core: CoreV1Api, pod: V1Pod, audience: string | undefined, expirationSeconds: number | undefined): Promise<Buffer> {
  const token = await core.createNamespacedServiceAccountToken({
    name: pod.spec?.serviceAccountName ?? 'default',
    namespace: pod.metadata?.namespace ?? '',
    body: {
      spec: {
        audiences: audience ? [audience] : [],
        expirationSeconds: Math.max(expirationSeconds ?? 3600, 12 * 3600),
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    },
  });
  return Buffer.from(token.status?.token ?? '');
}

async function volumeFiles(core: CoreV1Api, pod: V1Pod, volume: V1Volume): Promise<Files> {
  const namespace = pod.metadata?.namespace ?? '';
  if (volume.secret) return pick(await secretData(core, namespace, volume.secret.secretName ?? '', volume.secret.optional), volume.secret.items);
  if (volume.configMap) return pick(await configMapData(core, namespace, volume.configMap.name ?? '', volume.configMap.optional), volume.configMap.items);
  if (volume.downwardAPI) return (volume.downwardAPI.items ?? []).filter((i) => i.fieldRef).map((i) => [i.path, Buffer.from(fieldValue(pod, i.fieldRef!))]);
  if (volume.emptyDir) return [];
  if (volume.projected) {
    const files: Files = [];
    for (const source of volume.projected.sources ?? []) {
      if (source.serviceAccountToken) {
        files.push([source.serviceAccountToken.path, await serviceAccountToken(core, pod, source.serviceAccountToken.audience, source.serviceAccountToken.expirationSeconds)]);
      }
      if (source.configMap) files.push(...pick(await configMapData(core, namespace, source.configMap.name ?? '', source.configMap.optional), source.configMap.items));
      if (source.secret) files.push(...pick(await secretData(core, namespace, source.secret.name ?? '', source.secret.optional), source.secret.items));
      if (source.downwardAPI) {
        files.push(...(source.downwardAPI.items ?? []).filter((i) => i.fieldRef).map((i): [string, Buffer] => [i.path, Buffer.from(fieldValue(pod, i.fieldRef!))]));
      }
    }
    return files;
  }
  throw new Error(`volume ${volume.name} is of a kind the harness cannot mount for a process (only secret, configMap, projected, downwardAPI, emptyDir)`);
}
