import type { EndpointRow, VerifyResult } from './verify-result';

const COLUMNS = [
  ['endpoint', 'ENDPOINT'],
  ['locality', 'LOCALITY'],
  ['network', 'NETWORK'],
  ['weight', 'WEIGHT'],
  ['what', 'WHAT'],
] as const;

/** istiod's endpoints for the sidecar as fixed-width text: for a step summary, Slack and the terminal. */
export function renderEndpointTable(rows: EndpointRow[]): string {
  const cells = [COLUMNS.map(([, title]) => title), ...rows.map((r) => COLUMNS.map(([key]) => String(r[key])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n');
}

/** The two verdicts in a few lines, for a person: control plane with its table and fixes, data plane or why it was not checked. */
export function describeVerify(v: VerifyResult): string[] {
  const lines: string[] = [];
  if (v.controlPlane) {
    lines.push(`Control plane ${v.controlPlane.passed ? 'passed' : 'FAILED'}: ${v.controlPlane.reason}`);
    if (v.controlPlane.endpoints.length > 0) lines.push(renderEndpointTable(v.controlPlane.endpoints));
    for (const d of v.controlPlane.diagnostics) lines.push(`- ${d}`);
    for (const w of v.controlPlane.warnings) lines.push(`- warning: ${w}`);
  }
  if (v.dataPlane) lines.push(`Data plane ${v.dataPlane.checked ? (v.dataPlane.passed ? 'passed' : 'FAILED') : 'not checked'}: ${v.dataPlane.reason}`);
  if (!v.controlPlane && !v.dataPlane) lines.push(v.reason);
  return lines;
}
