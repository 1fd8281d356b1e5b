/**
 * Field paths as the API server names them in server-side apply conflicts, e.g.
 * `.webhooks[name="rev.validation.istio.io"].failurePolicy` or `.metadata.labels.app`:
 * `.key` selects a map key, `[k="v",…]` the list element whose fields match, `[="v"]` a set value.
 * A path this does not understand (e.g. a list index, `[3]`) gives `undefined`.
 */
type Segment = { key: string } | { match: Record<string, unknown> } | { value: unknown };

export function parseFieldPath(path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let rest = path;
  while (rest.length > 0) {
    const key = /^\.([^.[]+)/.exec(rest);
    if (key) {
      segments.push({ key: key[1] });
      rest = rest.slice(key[0].length);
      continue;
    }
    const selector = /^\[((?:[^\]"]|"(?:[^"\\]|\\.)*")*)\]/.exec(rest);
    if (!selector) return undefined;
    const body = selector[1];
    // a list index ([3]) names an element by position, which a manifest copy cannot be trusted to keep
    if (/^\d+$/.test(body)) return undefined;
    if (body.startsWith('=')) {
      segments.push({ value: JSON.parse(body.slice(1)) as unknown });
    } else {
      const match: Record<string, unknown> = {};
      for (const pair of body.match(/[^,=]+=(?:"(?:[^"\\]|\\.)*"|[^,]*)/g) ?? []) {
        const at = pair.indexOf('=');
        match[pair.slice(0, at)] = JSON.parse(pair.slice(at + 1)) as unknown;
      }
      segments.push({ match });
    }
    rest = rest.slice(selector[0].length);
  }
  return segments;
}

/** A copy of `obj` without the field at `path`; `undefined` when the path is not understood or not there. */
export function withoutField<T extends object>(obj: T, path: string): T | undefined {
  const segments = parseFieldPath(path);
  if (!segments || segments.length === 0) return undefined;
  const copy = structuredClone(obj);
  let node: unknown = copy;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if ('key' in segment) {
      if (!node || typeof node !== 'object' || Array.isArray(node) || !(segment.key in node)) return undefined;
      const map = node as Record<string, unknown>;
      if (last) delete map[segment.key];
      else node = map[segment.key];
    } else {
      if (!Array.isArray(node)) return undefined;
      const list = node as unknown[];
      const index =
        'value' in segment
          ? list.findIndex((v) => v === segment.value)
          : list.findIndex((v) => !!v && typeof v === 'object' && Object.entries(segment.match).every(([k, want]) => (v as Record<string, unknown>)[k] === want));
      if (index === -1) return undefined;
      if (last) list.splice(index, 1);
      else node = list[index];
    }
  }
  return copy;
}
