import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError, describeIssues } from '../common/errors';
import { AuthorizationPolicy } from './policy';

/** Parses a policy document (YAML or JSON); errors name the file and the field. */
export function parsePolicy(text: string, name: string): AuthorizationPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ValidationError(`authorization policy ${name}`, `not valid YAML or JSON: ${(err as Error).message}`);
  }
  const result = AuthorizationPolicy.safeParse(raw);
  if (!result.success) throw new ValidationError(`authorization policy ${name}`, describeIssues(result.error));
  return result.data;
}

export function loadPolicy(file: string): AuthorizationPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`MESHOPS_POLICY_FILE names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code}). Fix the path.`, { cause: err });
  }
  return parsePolicy(text, file);
}
