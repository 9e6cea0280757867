import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  EntityPostureHistory,
  MeshSecurityApi,
  OverviewHistory,
} from '@mesh-security/plugin-mesh-security-common';
import { meshSecurityApiRef } from '../../api';
import { PostureTimeline } from './PostureTimeline';
import { PostureTrend } from './PostureTrend';

const render = (api: Partial<MeshSecurityApi>, element: JSX.Element) =>
  renderInTestApp(
    <TestApiProvider apis={[[meshSecurityApiRef, api]]}>
      {element}
    </TestApiProvider>,
  );

const entityHistory: EntityPostureHistory = {
  entityRef: 'component:default/payments-api',
  enabled: true,
  retentionDays: 400,
  days: [],
  changes: [
    { at: '2026-09-01T10:00:00.000Z', to: 'DISABLED' },
    { at: '2026-09-24T10:00:00.000Z', from: 'DISABLED', to: 'PERMISSIVE' },
    { at: '2026-11-03T10:00:00.000Z', from: 'PERMISSIVE', to: 'STRICT' },
  ],
};

const overviewHistory: OverviewHistory = {
  enabled: true,
  retentionDays: 400,
  days: [
    {
      day: '2026-11-01',
      components: 10,
      strictComponents: 2,
      strictPorts: 4,
      totalPorts: 20,
      findingCounts: { critical: 2, high: 6, medium: 3, low: 0, info: 1 },
    },
    {
      day: '2026-12-02',
      components: 10,
      strictComponents: 6,
      strictPorts: 15,
      totalPorts: 20,
      findingCounts: { critical: 0, high: 3, medium: 3, low: 0, info: 1 },
    },
  ],
};

describe('PostureTimeline', () => {
  it('says since when the mode holds and lists the changes, newest first', async () => {
    const getEntityHistory = jest.fn().mockResolvedValue(entityHistory);
    await render(
      { getEntityHistory },
      <PostureTimeline entityRef="component:default/payments-api" />,
    );
    expect(
      await screen.findByText(
        'STRICT since 3 Nov 2026; was PERMISSIVE for 40 days.',
      ),
    ).toBeInTheDocument();
    expect(getEntityHistory).toHaveBeenCalledWith(
      'component:default/payments-api',
    );
    const items = within(screen.getByRole('list', { name: 'Mode changes' }))
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(items[0]).toMatch(/^3 Nov 2026: .*PERMISSIVE.*→.*STRICT/);
    expect(items[2]).toMatch(/^1 Sept? 2026: first recorded as .*DISABLED/);
  });

  it('shows the error with a retry that asks again', async () => {
    const getEntityHistory = jest
      .fn()
      .mockRejectedValueOnce(new Error('history store unavailable'))
      .mockResolvedValueOnce({ ...entityHistory, changes: [] });
    await render(
      { getEntityHistory },
      <PostureTimeline entityRef="component:default/payments-api" />,
    );
    expect(
      await screen.findByText('Error: history store unavailable'),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(
      await screen.findByText(/^No history recorded yet/),
    ).toBeInTheDocument();
    expect(getEntityHistory).toHaveBeenCalledTimes(2);
  });
});

describe('PostureTrend', () => {
  it('draws both series with the trend in words as the text alternative', async () => {
    const getOverviewHistory = jest.fn().mockResolvedValue(overviewHistory);
    await render(
      { getOverviewHistory },
      <PostureTrend owner="group:default/payments-team" />,
    );
    const sentence =
      '20 % of ports STRICT on 1 Nov 2026, 75 % on 2 Dec 2026; critical and high findings 8, then 3.';
    const chart = await screen.findByRole('img', { name: sentence });
    expect(chart.querySelector('[data-series="strict"]')).not.toBeNull();
    expect(chart.querySelector('[data-series="severe"]')).not.toBeNull();
    expect(screen.getByText(sentence)).toBeInTheDocument();
    expect(getOverviewHistory).toHaveBeenCalledWith({
      owner: 'group:default/payments-team',
      days: 90,
    });
  });

  it('says when nothing is recorded yet or history is off', async () => {
    await render(
      { getOverviewHistory: async () => ({ ...overviewHistory, days: [] }) },
      <PostureTrend />,
    );
    expect(
      await screen.findByText(/^No history recorded yet/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('img')).not.toBeInTheDocument();
  });

  it('says when history is turned off', async () => {
    await render(
      {
        getOverviewHistory: async () => ({
          enabled: false,
          retentionDays: 400,
          days: [],
        }),
      },
      <PostureTrend />,
    );
    expect(await screen.findByText(/turned off/)).toBeInTheDocument();
  });
});
