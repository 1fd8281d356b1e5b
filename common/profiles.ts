import { z } from 'zod';

/**
 * Installation profiles as data. `primary-remote` is today's Istio multi-network topology
 * (network labels, east-west gateway on 15443, istiod exposed to the remote, remote secret),
 * keeping the seed's explicit meshNetworks gateway address as the patch-gateway step (without the
 * seed's `0.0.0.0` placeholder: the entry has no gateway until the real address is known).
 */
export const ProfileName = z.enum(['primary-remote']).describe('Istio multicluster profile');
export type ProfileName = z.infer<typeof ProfileName>;

export interface Profile {
  /** istioctl profile rendered on the local (control plane) cluster. */
  localIstioctlProfile: string;
  /** istioctl profile rendered on the remote cluster. */
  remoteIstioctlProfile: string;
  /** Port of the east-west gateway that carries cross-network traffic (the seed's 15443). */
  crossNetworkPort: number;
}

export const PROFILES: Record<ProfileName, Profile> = {
  'primary-remote': {
    localIstioctlProfile: 'default',
    remoteIstioctlProfile: 'remote',
    crossNetworkPort: 15443,
  },
};
