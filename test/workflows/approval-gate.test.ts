import fc from 'fast-check';
import { ApprovalPolicy } from '../../common/approval-policy';
import { Requester } from '../../common/status';
import { ApprovalGate } from '../../workflows/approval-gate';

// The gate's rules as plain code; the workflow tests show the same rules through the real Update.
const requester = Requester.parse({ id: 'U-REQ', via: 'slack' });
const T0 = Date.UTC(2026, 0, 1);
const gateWith = (policy: object) => {
  const gate = new ApprovalGate(ApprovalPolicy.parse(policy), requester, 'run-today');
  gate.openFor('install-remote', T0);
  return gate;
};
const decision = (id: string, groups: string[] = [], d: 'approve' | 'reject' = 'approve') => ({ step: 'install-remote', decision: d, approver: { id, groups } });

describe('ApprovalGate', () => {
  it('refuses a decision that names another run of the workflow id, such as an old button of the pair', () => {
    const gate = gateWith({});
    expect(gate.refusal({ ...decision('U-ANYONE'), runId: 'run-yesterday' }, T0)).toBe(
      'This approve is for run run-yesterday, which has ended; run run-today of the pair is the one running now. Use the buttons of its own message.',
    );
    expect(gate.refusal({ ...decision('U-ANYONE'), runId: 'run-today' }, T0)).toBeUndefined();
  });

  it('reads the policy timeout with Temporal\'s duration parser', () => {
    expect(gateWith({ timeout: '90s' }).timeoutMs).toBe(90_000);
    expect(gateWith({ timeout: '2h' }).timeoutMs).toBe(7_200_000);
  });

  it('with empty approver lists lets anyone but the requester approve under four-eyes', () => {
    const gate = gateWith({});
    expect(gate.refusal(decision('U-ANYONE'), T0)).toBeUndefined();
    expect(gate.refusal(decision('U-REQ'), T0)).toMatch(/^Four-eyes rule: U-REQ requested this run/);
    // the requester may still stop their own run by rejecting
    expect(gate.refusal(decision('U-REQ', [], 'reject'), T0)).toBeUndefined();
  });

  it('lets the requester approve when four-eyes is off', () => {
    expect(gateWith({ fourEyes: false }).refusal(decision('U-REQ'), T0)).toBeUndefined();
  });

  it('allows listed users and members of listed groups only, for approve and reject alike', () => {
    const gate = gateWith({ approvers: { users: ['U-LEAD'], groups: ['sre'] } });
    expect(gate.refusal(decision('U-LEAD'), T0)).toBeUndefined();
    expect(gate.refusal(decision('U-X', ['dev', 'sre']), T0)).toBeUndefined();
    expect(gate.refusal(decision('U-X', ['dev'], 'reject'), T0)).toBe('U-X may not reject install-remote: the approval policy allows users U-LEAD or groups sre. Ask one of them.');
  });

  it('refuses once the gate expired, once decided, and when no gate is open', () => {
    const gate = gateWith({ timeout: '15m' });
    expect(gate.timeoutMs).toBe(15 * 60_000);
    expect(gate.refusal(decision('U-A'), T0 + 15 * 60_000)).toBe('The approval for install-remote expired at 2026-01-01T00:15:00.000Z; the run ends as timed-out.');
    gate.decide(approvedBy('U-A'), T0 + 1000);
    expect(gate.refusal(decision('U-B'), T0 + 2000)).toBe('install-remote was already approved by U-A at 2026-01-01T00:00:01.000Z.');
    gate.close();
    expect(gate.refusal(decision('U-B'), T0 + 3000)).toBe('No step of this run is waiting for approval, so there is nothing to approve.');
  });

  it('names the field of a malformed decision', () => {
    expect(gateWith({}).refusal({ step: 'install-remote', decision: 'approve', approver: { id: '' } }, T0)).toMatch(/^Invalid approval decision:\napprover\.id: /);
  });

  it('never lets the requester approve under four-eyes, whatever the policy lists', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('U-REQ', 'U-A', 'U-B')), fc.array(fc.constantFrom('sre', 'dev')), fc.array(fc.constantFrom('sre', 'dev')), (users, groups, mine) => {
        const gate = gateWith({ approvers: { users, groups } });
        expect(gate.refusal(decision('U-REQ', mine), T0)).toMatch(/^Four-eyes rule/);
      }),
    );
  });
});

function approvedBy(id: string) {
  return { step: 'install-remote' as const, decision: 'approve' as const, approver: { id, groups: [] } };
}
