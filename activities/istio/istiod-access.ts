import type { V1Pod } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import type { ClusterClient } from '../kube/cluster-client';
import { kubeCall } from '../kube/kube-failure';
import { forwardPort, type ForwardedPort } from '../kube/port-forward';
import { podReady } from '../kube/readiness';
import type { XdsServer } from '../xds/xds-client';
import { ISTIO_NAMESPACE } from './istioctl';

/** istiod's ports (its Deployment's): authenticated xDS, plaintext xDS, HTTP debug. */
export const ISTIOD_PORTS = { secureXds: 15012, plaintextXds: 15010, debug: 8080 } as const;
/** The name on istiod's serving certificate, which a sidecar checks. */
export const ISTIOD_SERVER_NAME = `istiod.${ISTIO_NAMESPACE}.svc`;

/** istiod reached as `kubectl port-forward` reaches it: its xDS server and its debug endpoints. */
export interface IstiodAccess {
  pod: string;
  xds: XdsServer;
  debug<T>(path: string): Promise<T>;
  close(): Promise<void>;
}

async function readyIstiod(local: ClusterClient): Promise<V1Pod> {
  const { items } = await kubeCall({ verb: 'list', object: `istiod pods in ${ISTIO_NAMESPACE}`, context: local.context }, () =>
    local.core.listNamespacedPod({ namespace: ISTIO_NAMESPACE, labelSelector: 'app=istiod' }),
  );
  const pod = items.find(podReady);
  if (!pod) throw ApplicationFailure.nonRetryable(`No Ready istiod pod in ${ISTIO_NAMESPACE} on ${local.context} (${items.length} found): run install-local first.`, 'IstiodMissing');
  return pod;
}

/** Whether istiod serves plaintext xDS: unless its args turn --grpcAddr off. */
function servesPlaintext(pod: V1Pod): boolean {
  const args = pod.spec?.containers?.find((c) => c.name === 'discovery')?.args ?? [];
  return !args.some((a, i) => a === '--grpcAddr=' || (a === '--grpcAddr' && args[i + 1] === ''));
}

/**
 * Port-forwards to a Ready istiod pod through the API server: its authenticated xDS port with the
 * client's token and TLS checked against the mesh root (what a sidecar does), or, only when asked
 * and istiod serves it, its plaintext port; and its HTTP debug port, which istiod answers without
 * authentication because a port-forward arrives on the pod's localhost.
 */
export async function connectToIstiod(local: ClusterClient, client: { token: string; rootCert: string } | { plaintext: true }): Promise<IstiodAccess> {
  const pod = await readyIstiod(local);
  const name = pod.metadata!.name!;
  if ('plaintext' in client && !servesPlaintext(pod)) {
    throw ApplicationFailure.nonRetryable(`istiod ${name} on ${local.context} serves no plaintext xDS (--grpcAddr is off): set plaintextXds=false to use its authenticated port ${ISTIOD_PORTS.secureXds}.`, 'IstiodPlaintextOff');
  }
  const forwards: ForwardedPort[] = [];
  const forward = async (port: number) => {
    const f = await forwardPort(local, ISTIO_NAMESPACE, name, port);
    forwards.push(f);
    return f.localPort;
  };
  try {
    const xdsPort = await forward('plaintext' in client ? ISTIOD_PORTS.plaintextXds : ISTIOD_PORTS.secureXds);
    const debugPort = await forward(ISTIOD_PORTS.debug);
    const xds: XdsServer =
      'plaintext' in client ? { address: `127.0.0.1:${xdsPort}` } : { address: `127.0.0.1:${xdsPort}`, token: client.token, tls: { rootCert: client.rootCert, serverName: ISTIOD_SERVER_NAME } };
    return {
      pod: name,
      xds,
      debug: async <T>(path: string): Promise<T> => {
        const res = await fetch(`http://127.0.0.1:${debugPort}${path}`, { signal: AbortSignal.timeout(15_000) });
        if (!res.ok) throw new Error(`istiod ${name} answered ${path} with HTTP ${res.status}`);
        return (await res.json()) as T;
      },
      close: async () => {
        await Promise.all(forwards.map((f) => f.close()));
      },
    };
  } catch (err) {
    await Promise.all(forwards.map((f) => f.close()));
    throw err;
  }
}
