import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import {
  EntityPosture,
  Finding,
} from '@mesh-security/plugin-mesh-security-common';
import {
  fraudCheckPosture,
  paymentsApiPosture,
  scorecard,
} from '../../__testUtils__/fixtures';
import { PostureHeadline, postureLead, worstFinding } from './PostureHeadline';

const finding = (
  code: string,
  severity: Finding['severity'],
  kind = 'Deployment',
  name = 'payments-api',
): Finding => ({
  code,
  severity,
  message: `${code} message`,
  fix: 'fix it',
  object: { kind, namespace: 'payments', name },
});

const posture = (findings: Finding[]): EntityPosture => ({
  ...paymentsApiPosture,
  scorecard,
  findings,
});

describe('worstFinding', () => {
  it('picks the most severe finding, whatever the order', () => {
    expect(
      worstFinding(
        posture([
          finding('MS301', 'medium'),
          finding('MS103', 'critical', 'DestinationRule', 'fraud-check-tls'),
          finding('MS102', 'high'),
        ]),
      )?.finding.code,
    ).toBe('MS103');
  });

  it("prefers the component's own finding among equally severe ones", () => {
    const worst = worstFinding(
      posture([
        finding('MS302', 'high', 'NetworkPolicy', 'unused'),
        finding('MS102', 'high'),
      ]),
    );
    expect(worst?.finding.code).toBe('MS102');
    expect(worst?.scope).toBe('workload');
  });

  it('never leads with an info finding', () => {
    expect(worstFinding(posture([finding('MS205', 'info')]))).toBeUndefined();
  });
});

describe('postureLead', () => {
  it('falls back to a failing pillar when no finding is there to fix', () => {
    expect(
      postureLead({
        ...posture([]),
        scorecard: {
          ...scorecard,
          assumeBreach: { status: 'fail', detail: 'no NetworkPolicy' },
        },
      }),
    ).toEqual({
      kind: 'pillar',
      title: 'Assume breach',
      detail: 'no NetworkPolicy',
      status: 'fail',
    });
  });

  it('is undefined when nothing needs fixing (the mode leads)', () => {
    expect(postureLead(posture([]))).toBeUndefined();
  });
});

describe('PostureHeadline', () => {
  it("leads fraud-check's summary with its critical MS103 and where it is", async () => {
    await renderInTestApp(<PostureHeadline posture={fraudCheckPosture} />);
    const lead = screen.getByRole('region', { name: 'Worst finding' });
    expect(lead).toHaveTextContent(/^critical/);
    expect(lead).toHaveTextContent(
      'MS103: STRICT server behind a DestinationRule that disables mTLS',
    );
    expect(lead).toHaveTextContent(/sends plaintext to fraud-check/);
    expect(lead).toHaveTextContent(
      'About DestinationRule payments/fraud-check-tls (in its namespace) · 1 other finding.',
    );
  });

  it('says nothing when there is nothing to fix', async () => {
    await renderInTestApp(<PostureHeadline posture={posture([])} />);
    expect(screen.queryByTestId('posture-headline')).not.toBeInTheDocument();
  });
});
