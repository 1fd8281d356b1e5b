import type { z } from 'zod';

/** Renders a zod error as lines a person can act on: the field path, then what is wrong. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path || '(input)'}: ${issue.message}`;
    })
    .join('\n');
}

/** Thrown at an edge when input or configuration does not validate. */
export class ValidationError extends Error {
  constructor(
    readonly what: string,
    readonly details: string,
  ) {
    super(`Invalid ${what}:\n${details}`);
    this.name = 'ValidationError';
  }
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(what, describeIssues(result.error));
  return result.data;
}
