/**
 * Image references as a container runtime reads them: `istio/proxyv2:1.31.0` is
 * `docker.io/istio/proxyv2:1.31.0`, `auto` is `docker.io/library/auto:latest`.
 */
export function normalizeImage(image: string): string {
  const [name, digest] = image.split('@', 2);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let repo = hasRegistry ? name : `docker.io/${slash === -1 ? `library/${name}` : name}`;
  const lastPart = repo.slice(repo.lastIndexOf('/') + 1);
  if (!digest && !lastPart.includes(':')) repo += ':latest';
  return digest ? `${repo}@${digest}` : repo;
}

/** The repository of a normalized reference, without tag or digest: `docker.io/istio/pilot`. */
export function imageRepository(image: string): string {
  const ref = normalizeImage(image).split('@')[0];
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash);
  return colon === -1 ? ref : ref.slice(0, colon);
}

/** What a pull of a missing image reports, worded as containerd does to the kubelet. */
export function pullError(image: string): string {
  const ref = normalizeImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}
