/** What is left of a time budget started now, at least 1 ms (a wait given 0 would never start). */
export function budget(totalMs: number): () => number {
  const deadline = Date.now() + totalMs;
  return () => Math.max(1, deadline - Date.now());
}
