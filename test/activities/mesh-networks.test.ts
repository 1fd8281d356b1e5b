import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import {
  gatewayAddressOf,
  meshNetworksFor,
  parseMeshNetworks,
  renderMeshNetworks,
  withGatewayAddress,
} from '../../activities/istio/mesh-networks';

describe('meshNetworks with the seed\'s network2 gateway', () => {
  const placeholder = meshNetworksFor('network2', undefined, 15443);

  it("starts with the seed's network2 entry without a gateway (never the 0.0.0.0 placeholder) and without fromRegistry", () => {
    expect(parse(renderMeshNetworks(placeholder))).toEqual({
      networks: { network2: { endpoints: [], gateways: [] } },
    });
    expect(parse(renderMeshNetworks(meshNetworksFor('network2', '198.51.100.7', 15443))).networks.network2.gateways).toEqual([{ address: '198.51.100.7', port: 15443 }]);
  });

  it('round-trips through the ConfigMap text', () => {
    expect(parseMeshNetworks(renderMeshNetworks(placeholder))).toEqual(placeholder);
    expect(parseMeshNetworks(undefined)).toEqual({ networks: {} });
    expect(parseMeshNetworks('networks: {}\n')).toEqual({ networks: {} });
  });

  it('replaces only the gateway address, keeping other networks and ports', () => {
    const text = `networks:
  network1:
    endpoints: [{ fromRegistry: local }]
    gateways: [{ address: 192.0.2.10, port: 15443 }]
  network2:
    endpoints: [{ fromRegistry: remote }]
    gateways: [{ address: 0.0.0.0, port: 15443 }, { address: 0.0.0.0, port: 15012 }]
`;
    const patched = withGatewayAddress(parseMeshNetworks(text), 'network2', 15443, '198.51.100.7');
    expect(gatewayAddressOf(patched, 'network2', 15443)).toBe('198.51.100.7');
    expect(gatewayAddressOf(patched, 'network2', 15012)).toBe('0.0.0.0');
    expect(gatewayAddressOf(patched, 'network1', 15443)).toBe('192.0.2.10');
  });

  it('removes the address again, and a second address on the same port replaces the first (no stale one left)', () => {
    const patched = withGatewayAddress(placeholder, 'network2', 15443, '198.51.100.7');
    const moved = withGatewayAddress(patched, 'network2', 15443, '198.51.100.8');
    expect(moved.networks.network2.gateways).toEqual([{ address: '198.51.100.8', port: 15443 }]);
    expect(withGatewayAddress(moved, 'network2', 15443, undefined).networks.network2.gateways).toEqual([]);
  });

  it('returns the same object when the address is already there (no write needed)', () => {
    const patched = withGatewayAddress(placeholder, 'network2', 15443, '198.51.100.7');
    expect(withGatewayAddress(patched, 'network2', 15443, '198.51.100.7')).toBe(patched);
  });

  it('refuses a network that is not declared, saying what to rerun', () => {
    expect(() => withGatewayAddress(placeholder, 'network3', 15443, '1.2.3.4')).toThrow(
      'meshNetworks has no network3 entry; rerun install-local to write it first',
    );
  });

  it('names the bad field of a malformed meshNetworks', () => {
    expect(() => parseMeshNetworks('networks:\n  network2:\n    gateways: [{ address: x, port: "15443" }]\n')).toThrow(
      /meshNetworks is not valid MeshNetworks \(networks\.network2\.gateways\.0\.port: /,
    );    let failure: unknown;
    try {
      parseMeshNetworks('networks: [oops]\n');
    } catch (e) {
      failure = e;
    }
    // Thrown as a non-retryable KubeInvalid: a corrupt ConfigMap does not heal by retrying.
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'KubeInvalid', nonRetryable: true });
  });
});
