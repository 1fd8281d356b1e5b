import { ApplicationFailure } from '@temporalio/common';
import { parse, stringify } from 'yaml';
import { KUBE_FAILURE } from '../kube/kube-failure';
import { z } from 'zod';

/** Istio's MeshNetworks (the `meshNetworks` key of the `istio` ConfigMap). */
export const MeshNetworks = z.object({
  networks: z
    .record(
      z.string(),
      z.object({
        endpoints: z.array(z.looseObject({ fromRegistry: z.string().optional(), fromCidr: z.string().optional() })).default([]),
        gateways: z
          .array(z.looseObject({ address: z.string().optional(), registryServiceName: z.string().optional(), port: z.number().int() }))
          .default([]),
      }),
    )
    .default({}),
});
export type MeshNetworks = z.infer<typeof MeshNetworks>;

/**
 * The seed's network2 entry, as today's Istio reads it: only the gateway, which patch-gateway
 * writes once the remote east-west gateway has its load-balancer address. Until then the entry has
 * no gateway at all, never the seed's `0.0.0.0` placeholder, which istiod would hand to proxies as
 * a live endpoint. There is no `endpoints: fromRegistry` as in the seed: istiod takes an
 * endpoint's network from its pod's label (the injector writes it), then from its cluster's
 * labelled istio-system (install-remote writes it), and only then from meshNetworks
 * (pilot/pkg/serviceregistry/kube/controller Network()), so a third source would only hide a
 * missing label.
 */
export function meshNetworksFor(remoteNetwork: string, gatewayAddress: string | undefined, gatewayPort: number): MeshNetworks {
  return {
    networks: {
      [remoteNetwork]: {
        endpoints: [],
        gateways: gatewayAddress ? [{ address: gatewayAddress, port: gatewayPort }] : [],
      },
    },
  };
}

/** Parses the ConfigMap's meshNetworks text; a missing or empty key is an empty MeshNetworks. */
export function parseMeshNetworks(text: string | undefined): MeshNetworks {
  const raw: unknown = text?.trim() ? parse(text) : {};
  const parsed = MeshNetworks.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw ApplicationFailure.nonRetryable(
      `the istio ConfigMap's meshNetworks is not valid MeshNetworks (${issue.path.join('.')}: ${issue.message}); fix it by hand or rerun install-local`,
      KUBE_FAILURE.invalid,
    );
  }
  return parsed.data;
}

export function renderMeshNetworks(networks: MeshNetworks): string {
  return stringify(networks);
}

/** The address of the network's gateway on `port`, if the entry has one. */
export function gatewayAddressOf(networks: MeshNetworks, network: string, port: number): string | undefined {
  return networks.networks[network]?.gateways.find((g) => g.port === port)?.address;
}

/**
 * Sets (or, with `undefined`, removes) the network's gateway address on `port`, keeping every
 * other entry as it was: one address per port, so an old address never stays behind. Returns the
 * same object when nothing changes, so the caller can skip the write (compare-and-patch).
 */
export function withGatewayAddress(networks: MeshNetworks, network: string, port: number, address: string | undefined): MeshNetworks {
  const entry = networks.networks[network];
  if (!entry) throw new Error(`meshNetworks has no ${network} entry; rerun install-local to write it first`);
  if (gatewayAddressOf(networks, network, port) === address) return networks;
  const others = entry.gateways.filter((g) => g.port !== port);
  return {
    networks: { ...networks.networks, [network]: { ...entry, gateways: address ? [...others, { address, port }] : others } },
  };
}
