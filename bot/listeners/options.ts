/** How the listeners answer, by receiver. */
export interface ListenerOptions {
  /**
   * false (HTTP, Socket Mode): ack() at once, do the work, answer through Slack afterwards.
   * true (AWS Lambda, whose receiver answers only when the listener has finished, Bolt's
   * processBeforeResponse path): do the work within `requestBudgetMs`, then ack() with the answer
   * as the HTTP response, so nothing is left running when Lambda freezes the function.
   */
  answerInAck?: boolean;
  /** One deadline for all Temporal calls of a request, from when its listener starts. Unset: only the per-call deadlines of deps.mesh. */
  requestBudgetMs?: number;
  /**
   * With answerInAck: the listener returns by this long after it started, whatever is still
   * running, so the HTTP answer always leaves in time (a late command is answered saying it cannot
   * tell whether it went through). Work still running then is frozen with the function.
   */
  answerWithinMs?: number;
}
