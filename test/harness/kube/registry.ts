import { normalizeImage } from './agent/images';
import { pinnedVersions } from './binaries';

/**
 * What the test clusters' image registry holds: the Istio release the pinned istioctl renders
 * (`ISTIO_RELEASE` in scripts/kube-versions.env, at Istio's release hub registry.istio.io/release)
 * and the images of the Istio samples that meshops deploys, as the samples of that commit name them. A pod naming anything else, such as a dev build's
 * `gcr.io/istio-testing/pilot:latest` or an uninjected gateway's `image: auto`, stays in
 * ErrImagePull / ImagePullBackOff, as on a real cluster.
 */
export function registryImages(): string[] {
  const release = pinnedVersions().ISTIO_RELEASE;
  if (!release) throw new Error('scripts/kube-versions.env has no ISTIO_RELEASE (the release tag of the Istio images)');
  return [
    `registry.istio.io/release/pilot:${release}`,
    `registry.istio.io/release/proxyv2:${release}`,
    // samples/helloworld/helloworld.yaml and samples/curl/curl.yaml (the seed's sleep)
    'registry.istio.io/release/examples-helloworld-v1:1.0',
    'registry.istio.io/release/examples-helloworld-v2:1.0',
    'docker.io/curlimages/curl:8.16.0',
  ].map(normalizeImage);
}
