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

  it('labels a seeded timeline as demo data', async () => {
    await render(
      {
        getEntityHistory: async () => ({
          ...entityHistory,
          demo: true,
          changes: entityHistory.changes.map(c => ({ ...c, demo: true })),
        }),
      },
      <PostureTimeline entityRef="component:default/payments-api" />,
    );
    expect(await screen.findByText('Demo data')).toBeInTheDocument();
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

  describe('Download CSV', () => {
    const createObjectURL = jest.fn((_: Blob) => 'blob:mesh-security/1');
    const revokeObjectURL = jest.fn();
    let clicked: HTMLAnchorElement[] = [];
    beforeEach(() => {
      // jsdom implements neither object URLs nor navigation on a link click.
      Object.assign(URL, { createObjectURL, revokeObjectURL });
      clicked = [];
      jest
        .spyOn(HTMLAnchorElement.prototype, 'click')
        .mockImplementation(function record(this: HTMLAnchorElement) {
          clicked.push(this);
        });
    });
    afterEach(() => jest.restoreAllMocks());

    it("fetches the owner's CSV through the API (the user's credentials) and saves it as a file", async () => {
      const csv = 'day,components\r\n2026-12-02,10\r\n';
      const getOverviewHistoryCsv = jest.fn().mockResolvedValue(csv);
      await render(
        {
          getOverviewHistory: async () => overviewHistory,
          getOverviewHistoryCsv,
        },
        <PostureTrend owner="group:default/payments-team" />,
      );
      await userEvent.click(
        await screen.findByRole('button', { name: 'Download CSV' }),
      );
      expect(getOverviewHistoryCsv).toHaveBeenCalledWith({
        owner: 'group:default/payments-team',
        days: 90,
      });
      expect(clicked).toHaveLength(1);
      expect(clicked[0].download).toBe(
        'mesh-security-history-group-default-payments-team-90d.csv',
      );
      expect(clicked[0].getAttribute('href')).toBe('blob:mesh-security/1');
      const blob = createObjectURL.mock.calls[0][0];
      expect(blob.type).toBe('text/csv;charset=utf-8');
      expect(await blob.text()).toBe(csv);
      // The link is not left in the page.
      expect(document.querySelector('a[download]')).toBeNull();
    });

    it('says why a download failed and lets the user try again', async () => {
      const getOverviewHistoryCsv = jest
        .fn()
        .mockRejectedValueOnce(new Error('Request failed with 403 Forbidden'))
        .mockResolvedValueOnce('day\r\n');
      await render(
        {
          getOverviewHistory: async () => overviewHistory,
          getOverviewHistoryCsv,
        },
        <PostureTrend />,
      );
      const button = await screen.findByRole('button', {
        name: 'Download CSV',
      });
      await userEvent.click(button);
      expect(await screen.findByRole('alert')).toHaveTextContent(
        'Could not download the history: Request failed with 403 Forbidden',
      );
      expect(clicked).toHaveLength(0);
      await userEvent.click(button);
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      expect(clicked[0].download).toBe('mesh-security-history-90d.csv');
    });
  });

  it('labels seeded days as demo data, and only then', async () => {
    await render(
      {
        getOverviewHistory: async () => ({
          ...overviewHistory,
          demo: true,
          days: overviewHistory.days.map(d => ({ ...d, demoComponents: 3 })),
        }),
      },
      <PostureTrend />,
    );
    expect(await screen.findByText('Demo data')).toBeInTheDocument();
    expect(
      screen.getByText(/seeded from the demo's recorded events/),
    ).toBeInTheDocument();
  });

  it('shows no demo label on recorded history', async () => {
    await render(
      { getOverviewHistory: async () => overviewHistory },
      <PostureTrend />,
    );
    await screen.findByRole('img');
    expect(screen.queryByText('Demo data')).not.toBeInTheDocument();
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
