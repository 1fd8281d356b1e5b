import { ApiException } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { KUBE_FAILURE, kubeFailure } from '../../activities/kube/kube-failure';

const action = { verb: 'apply', object: 'Deployment istio-system/istiod', context: 'local' };
const status = (code: number, reason: string, message: string, causes?: object[]) =>
  new ApiException(code, `HTTP ${code}`, JSON.stringify({ kind: 'Status', code, reason, message, details: causes ? { causes } : undefined }), {});

describe('classifying Kubernetes API failures', () => {
  it.each([
    [403, 'Forbidden', 'deployments.apps is forbidden: User "dev" cannot patch', KUBE_FAILURE.forbidden, /Grant the identity of context local/],
    [401, 'Unauthorized', 'Unauthorized', KUBE_FAILURE.unauthorized, /Refresh the kubeconfig/],
    [422, 'Invalid', 'Deployment.apps "istiod" is invalid', KUBE_FAILURE.invalid, /Fix the manifest/],
    [404, 'NotFound', 'namespaces "istio-system" not found', KUBE_FAILURE.notFound, /earlier steps ran/],
  ])('%i %s is non-retryable and names the object and the fix', (code, reason, message, type, fix) => {
    const failure = kubeFailure(status(code, reason, message), action);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(type);
    expect(failure.message).toContain('apply Deployment istio-system/istiod on local');
    expect(failure.message).toContain(message);
    expect(failure.message).toMatch(fix);
  });

  it('lists the invalid fields', () => {
    const failure = kubeFailure(status(422, 'Invalid', 'invalid', [{ field: 'spec.replicas', message: 'must be >= 0' }]), action);
    expect(failure.message).toContain('spec.replicas: must be >= 0');
  });

  it.each([409, 429, 500, 503, 504])('%i retries', (code) => {
    const failure = kubeFailure(status(code, 'X', 'try later'), action);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe(KUBE_FAILURE.transient);
  });

  it('retries network errors and a namespace that is still being deleted', () => {
    expect(kubeFailure(new Error('connect ECONNREFUSED 127.0.0.1:6443'), action).nonRetryable).toBe(false);
    const terminating = status(403, 'Forbidden', 'unable to create new content in namespace sample because it is being terminated');
    expect(kubeFailure(terminating, action).nonRetryable).toBe(false);
  });

  it('makes any other plain error non-retryable with its message (only network errors retry)', () => {
    const failure = kubeFailure(new TypeError("Cannot read properties of undefined (reading 'metadata')"), action);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(KUBE_FAILURE.invalid);
    expect(failure.message).toBe("Could not apply Deployment istio-system/istiod on local: Cannot read properties of undefined (reading 'metadata')");
    expect(kubeFailure(new Error('socket hang up'), action).nonRetryable).toBe(false);
  });
});
