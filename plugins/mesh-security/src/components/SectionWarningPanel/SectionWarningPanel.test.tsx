import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { ClusterWarnings } from '../ClusterWarnings';
import { SectionWarningPanel } from './SectionWarningPanel';

describe('SectionWarningPanel', () => {
  it("draws the title as an h3 by default (Backstage's WarningPanel draws an h6)", async () => {
    await renderInTestApp(
      <SectionWarningPanel
        title="Could not list the pull requests"
        message="GitHub could not be reached"
        defaultExpanded
      />,
    );
    const heading = screen.getByRole('heading', {
      name: /Could not list the pull requests/,
    });
    expect(heading.tagName).toBe('H3');
    // The message stays a paragraph.
    expect(screen.getByText('GitHub could not be reached').tagName).toBe('P');
  });

  it('draws the title at the level the section asks for', async () => {
    await renderInTestApp(
      <SectionWarningPanel headingLevel={2} title="Partial data" />,
    );
    expect(
      screen.getByRole('heading', { name: /Partial data/, level: 2 }),
    ).toBeInTheDocument();
  });

  it("puts the cluster warnings' title at the level it is given", async () => {
    await renderInTestApp(
      <ClusterWarnings
        headingLevel={2}
        clusters={[]}
        partial
        partialReasons={[]}
      />,
    );
    expect(
      screen.getByRole('heading', { name: /Partial data/, level: 2 }),
    ).toBeInTheDocument();
  });
});
