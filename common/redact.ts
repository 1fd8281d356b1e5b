/**
 * Last line of defence before text leaves the process for a person (Slack, CLI output): tokens,
 * private keys, kubeconfig credentials and bearer headers are replaced. Secrets should never get
 * this far; this catches the ones an error message from a library drags along.
 */
export const REDACTED = '[redacted]';

const RULES: ReadonlyArray<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\bxox[abposre]-[A-Za-z0-9-]+/g, REDACTED], // Slack bot, user, config tokens
  [/\bxapp-[A-Za-z0-9-]+/g, REDACTED], // Slack app-level tokens
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED], // JWTs: service-account tokens
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  // key: value and key=value keep the key, so the reader knows what was removed
  [/\b(token|client-key-data|client-certificate-data|password|secret|signing_?secret)(["']?\s*[:=]\s*["']?)(?!\[redacted\])[^\s"',}]+/gi, `$1$2${REDACTED}`],
];

export function redactSecrets(text: string): string {
  return RULES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
