/**
 * ApplicationFailure types the activities raise for what a person must fix. They live here, not in
 * activities/, so the workflows' retry presets can list them without importing activity code.
 */
export const KUBE_FAILURE = {
  forbidden: 'KubeForbidden',
  unauthorized: 'KubeUnauthorized',
  invalid: 'KubeInvalid',
  notFound: 'KubeNotFound',
  notFoundAfterCreate: 'KubeNotFoundAfterCreate',
  waitTimeout: 'KubeWaitTimeout',
  /** A wait that cannot succeed: a pod that cannot pull its image, mount a volume, or keeps crashing. */
  stuck: 'KubeWorkloadStuck',
  transient: 'KubeTransient',
} as const;

export const NON_RETRYABLE_KUBE_FAILURES: readonly string[] = [
  KUBE_FAILURE.forbidden,
  KUBE_FAILURE.unauthorized,
  KUBE_FAILURE.invalid,
  KUBE_FAILURE.notFound,
  KUBE_FAILURE.notFoundAfterCreate,
  KUBE_FAILURE.waitTimeout,
  KUBE_FAILURE.stuck,
];
