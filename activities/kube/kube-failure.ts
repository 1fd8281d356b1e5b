import { ApiException } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { KUBE_FAILURE } from '../../common/failure-types';

export { KUBE_FAILURE, NON_RETRYABLE_KUBE_FAILURES } from '../../common/failure-types';

/** What was being done when a call failed: "apply Deployment istio-system/istiod on local". */
export interface KubeAction {
  verb: string;
  object: string;
  context: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { field?: string; message?: string }[] };
}

function statusOf(err: ApiException<unknown>): StatusBody {
  const body = err.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body ?? {}) as StatusBody;
}

const TRANSIENT_NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up|fetch failed|other side closed|timeout/i;

/** The HTTP status of a client-node error, or undefined for network errors. */
export function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusCode(err) === 404;
}

/**
 * Turns a client-node error into an ApplicationFailure a person can act on. Forbidden, invalid,
 * unauthorized and not-found are non-retryable and say what to fix; 409, 429, 5xx and network
 * errors are retryable; any other error is non-retryable (KubeInvalid) with its message. A
 * namespace being terminated is transient: the retry lands after it is gone.
 */
export function kubeFailure(err: unknown, action: KubeAction): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const what = `${action.verb} ${action.object} on ${action.context}`;
  if (!(err instanceof ApiException)) {
    const message = err instanceof Error ? err.message : String(err);
    if (TRANSIENT_NETWORK.test(message)) {
      return ApplicationFailure.retryable(`Could not ${what}: ${message}. The API server did not answer; retrying.`, KUBE_FAILURE.transient);
    }
    // Not a network error (a bug, a corrupt object): retrying
    // the same call will not help, so say what it was.
    return ApplicationFailure.nonRetryable(`Could not ${what}: ${message}`, KUBE_FAILURE.invalid);
  }
  const status = statusOf(err);
  const why = status.message ?? `HTTP ${err.code}`;
  switch (err.code) {
    case 400:
    case 422: {
      const causes = (status.details?.causes ?? []).map((c) => `${c.field ?? '?'}: ${c.message ?? ''}`).join('; ');
      return ApplicationFailure.nonRetryable(
        `Could not ${what}: the API server rejected it as invalid (${causes || why}). Fix the manifest or the spec field it came from, then retry the step.`,
        KUBE_FAILURE.invalid,
      );
    }
    case 401:
      return ApplicationFailure.nonRetryable(
        `Could not ${what}: the credentials of context ${action.context} were refused (${why}). Refresh the kubeconfig the worker uses, then retry the step.`,
        KUBE_FAILURE.unauthorized,
      );
    case 403:
      if (/being terminated/i.test(why)) {
        return ApplicationFailure.retryable(
          `Could not ${what}: its namespace is still being deleted (${why}); retrying once it is gone.`,
          KUBE_FAILURE.transient,
        );
      }
      return ApplicationFailure.nonRetryable(
        `Could not ${what}: forbidden (${why}). Grant the identity of context ${action.context} this permission (a ClusterRoleBinding to cluster-admin for installing Istio), then retry the step.`,
        KUBE_FAILURE.forbidden,
      );
    case 404:
      return ApplicationFailure.nonRetryable(
        `Could not ${what}: not found (${why}). Check that the earlier steps ran (its namespace or CRD must exist), then retry.`,
        KUBE_FAILURE.notFound,
      );
    default:
      if (err.code === 409 || err.code === 429 || err.code >= 500) {
        return ApplicationFailure.retryable(`Could not ${what}: HTTP ${err.code} (${why}); retrying.`, KUBE_FAILURE.transient);
      }
      return ApplicationFailure.nonRetryable(`Could not ${what}: HTTP ${err.code} (${why}).`, KUBE_FAILURE.invalid);
  }
}

/** Runs one API call and rethrows its failure classified. */
export async function kubeCall<T>(action: KubeAction, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw kubeFailure(err, action);
  }
}
