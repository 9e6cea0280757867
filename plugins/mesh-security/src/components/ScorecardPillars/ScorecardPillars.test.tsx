import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { Scorecard } from '@mesh-security/plugin-mesh-security-common';
import { scorecard } from '../../__testUtils__/fixtures';
import { ScorecardPillars, ScorecardSummary } from './ScorecardPillars';

const long =
  '1 caller blocked by configuration (MS103): DestinationRule payments/fraud-check-tls sends plaintext to port 8080, which is STRICT';
const failing: Scorecard = {
  ...scorecard,
  verifyExplicitly: { status: 'fail', detail: long },
};

describe('ScorecardPillars', () => {
  it('shows each reason whole, wrapping between words, with the full text as its title', async () => {
    await renderInTestApp(<ScorecardPillars scorecard={failing} />);
    const reason = screen.getByText(long);
    expect(reason).toHaveAttribute('title', long);
    expect(reason).toHaveStyle({
      whiteSpace: 'normal',
      overflowWrap: 'break-word',
    });
    expect(reason).not.toHaveStyle({ textOverflow: 'ellipsis' });
  });
});

describe('ScorecardSummary', () => {
  it("gives each dot the pillar's status and reason as its tooltip", async () => {
    await renderInTestApp(<ScorecardSummary scorecard={failing} />);
    expect(
      screen.getByRole('img', { name: 'Verify explicitly: fail' }),
    ).toHaveAttribute('title', `Verify explicitly: fail — ${long}`);
  });
});
