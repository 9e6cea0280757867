import { renderInTestApp } from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import {
  EntityWorkload,
  TrafficObservationState,
} from '@mesh-security/plugin-mesh-security-common';
import {
  observedPaymentsApiWorkload,
  paymentsApiWorkload,
} from '../../__testUtils__/fixtures';
import {
  lastSeenText,
  ObservedTraffic,
  ObservedTrafficSummary,
} from './ObservedTraffic';
import {
  edgeTrafficText,
  formatRate,
  unmatchedOmittedText,
} from './edgeTraffic';

const withObservations = (
  observations: Partial<TrafficObservationState>,
): EntityWorkload => ({
  ...paymentsApiWorkload,
  observed: {
    ...paymentsApiWorkload.observed,
    observations: {
      ...paymentsApiWorkload.observed.observations,
      ...observations,
    },
  },
});

describe('ObservedTraffic', () => {
  it('shows per port the policy mode, mTLS share, counts, plaintext sources and last seen', async () => {
    await renderInTestApp(
      <ObservedTraffic workload={observedPaymentsApiWorkload} />,
    );
    expect(screen.getByLabelText('Observation status')).toHaveTextContent(
      'Observed traffic from recorded data, read 5 min ago.',
    );
    const row = screen.getByText('8080').closest('tr')!;
    expect(within(row).getByLabelText(/^mTLS STRICT/)).toBeInTheDocument();
    expect(row).toHaveTextContent('95 % / 96 %');
    expect(row).toHaveTextContent('120 mTLS · 4 plaintext · 7 denied');
    expect(row).toHaveTextContent('outside the mesh / unknown');
    // Read at 01:00, 5 min ago; last seen at 00:55: 10 min ago, the exact time in its title.
    expect(within(row).getByText('10 min ago')).toHaveAttribute(
      'title',
      '2026-11-23T00:55:00Z',
    );
    expect(
      within(screen.getByText('9090').closest('tr')!).getAllByText('none'),
    ).toHaveLength(3);
    expect(screen.getByText(/mTLS share \(1 h \/ 7 d\)/)).toBeInTheDocument();
  });

  it.each([
    [
      'not configured: says how to configure, no table',
      { status: 'not-configured' as const },
      /not configured for this cluster: give the backend a Prometheus source/,
    ],
    [
      'unavailable: says why and that nothing is guessed',
      { status: 'unavailable' as const, message: 'never read' },
      /unavailable: never read\. Nothing is shown rather than guessed/,
    ],
    [
      'stale: with its age and the error',
      {
        status: 'stale' as const,
        ageSeconds: 7200,
        message: 'Prometheus answered 503',
      },
      /stale: last read 2 h ago \(Prometheus answered 503\)/,
    ],
  ])('%s', async (_what, state, text) => {
    await renderInTestApp(
      <ObservedTraffic workload={withObservations(state)} />,
    );
    expect(screen.getByLabelText('Observation status')).toHaveTextContent(text);
    expect(screen.queryByText('Observed traffic per port')).toBeNull();
  });

  it('says when recorded data was recorded: its windows end then, not when it was read', async () => {
    await renderInTestApp(
      <ObservedTraffic
        workload={{
          ...observedPaymentsApiWorkload,
          observed: {
            ...observedPaymentsApiWorkload.observed,
            observations: {
              ...observedPaymentsApiWorkload.observed.observations,
              recordedAt: '2026-11-23T12:00:00.000Z',
            },
          },
        }}
      />,
    );
    expect(screen.getByLabelText('Observation status')).toHaveTextContent(
      'Observed traffic from recorded data (windows ending 23 Nov 2026, 12:00 UTC), read 5 min ago.',
    );
  });

  it('says when the metrics do not tell ports apart, and when the workload is not observable', async () => {
    const observed = observedPaymentsApiWorkload.observed;
    const { rerender } = await renderInTestApp(
      <ObservedTraffic
        workload={{
          ...observedPaymentsApiWorkload,
          observed: {
            ...observed,
            workload: {
              ...observed.workload!,
              portsTold: false,
              ports: [{ ...observed.workload!.ports[0], port: undefined }],
            },
          },
        }}
      />,
    );
    expect(screen.getByText(/do not tell ports apart/)).toBeInTheDocument();
    expect(screen.getByText('all ports')).toBeInTheDocument();
    rerender(
      <ObservedTraffic
        workload={{
          ...observedPaymentsApiWorkload,
          observed: {
            ...observed,
            workload: {
              observable: false,
              reason: 'no mesh proxy receives its traffic',
              portsTold: true,
              ports: [],
            },
          },
        }}
      />,
    );
    expect(
      screen.getByText('Not observable: no mesh proxy receives its traffic'),
    ).toBeInTheDocument();
  });
});

const withFoldedPorts = (): EntityWorkload => {
  const observed = observedPaymentsApiWorkload.observed;
  const first = observed.workload!.ports[0];
  return {
    ...observedPaymentsApiWorkload,
    observed: {
      ...observed,
      workload: {
        ...observed.workload!,
        ports: [
          ...observed.workload!.ports,
          {
            ...first,
            port: undefined,
            otherPorts: {
              count: 57,
              lowest: 9021,
              highest: 9990,
              withPlaintext: 3,
            },
            mtls: 'PERMISSIVE',
          },
        ],
      },
    },
  };
};

describe('ObservedTraffic: more undeclared ports than listed', () => {
  it('names the entry that stands for the ports beyond the limit, and says why', async () => {
    await renderInTestApp(<ObservedTraffic workload={withFoldedPorts()} />);
    const row = screen
      .getByText('57 other ports (9021–9990) not declared')
      .closest('tr')!;
    expect(within(row).getByLabelText(/^mTLS PERMISSIVE/)).toBeInTheDocument();
    expect(
      screen.getByText(
        /more than 20 ports the workload does not declare: the 20 with the most traffic have a line each/,
      ),
    ).toBeInTheDocument();
  });

  it('counts the plaintext ports the entry stands for in the summary', async () => {
    await renderInTestApp(
      <ObservedTrafficSummary workloads={[withFoldedPorts()]} />,
    );
    expect(screen.getByLabelText('Observed traffic summary')).toHaveTextContent(
      'plaintext on 4 ports',
    );
  });

  it('says nothing of folded ports when every port has its line', async () => {
    await renderInTestApp(
      <ObservedTraffic workload={observedPaymentsApiWorkload} />,
    );
    expect(screen.queryByText(/the others one line per mode/)).toBeNull();
  });
});

describe('ObservedTrafficSummary', () => {
  it('gives the observed mTLS share of the evidence window and the plaintext ports', async () => {
    await renderInTestApp(
      <ObservedTrafficSummary workloads={[observedPaymentsApiWorkload]} />,
    );
    expect(screen.getByLabelText('Observed traffic summary')).toHaveTextContent(
      '96 % mTLS over the last 7 d (120 mTLS · 4 plaintext) · plaintext on 1 port',
    );
  });

  it('shows the status when nothing was observed', async () => {
    await renderInTestApp(
      <ObservedTrafficSummary workloads={[paymentsApiWorkload]} />,
    );
    expect(screen.getByLabelText('Observation status')).toHaveTextContent(
      /not configured/,
    );
  });
});

describe('lastSeenText', () => {
  const observations = observedPaymentsApiWorkload.observed.observations;
  it.each([
    ['2026-11-23T00:55:00Z', observations, '10 min ago'],
    ['2026-11-20T01:00:00Z', observations, '3 d ago'],
    [undefined, observations, '—'],
    // No read time or age to count from: the exact time.
    [
      '2026-11-23T00:55:00Z',
      { ...observations, ageSeconds: null },
      '2026-11-23T00:55:00Z',
    ],
    ['yesterday', observations, 'yesterday'],
    // Recorded data: as of the recording, whenever it is read.
    [
      '2026-11-23T12:00:00Z',
      {
        ...observations,
        source: 'recorded' as const,
        recordedAt: '2026-11-23T12:00:00.000Z',
      },
      'when recorded',
    ],
    [
      '2026-11-23T10:00:00Z',
      {
        ...observations,
        source: 'recorded' as const,
        recordedAt: '2026-11-23T12:00:00.000Z',
      },
      '2 h before recording',
    ],
  ])('shows last seen %s', (lastSeen, state, expected) => {
    expect(lastSeenText(lastSeen, state)).toBe(expected);
  });
});

describe('unmatchedOmittedText', () => {
  const observed = observedPaymentsApiWorkload.observed;

  it('says nothing when the view lists every group of traffic no edge covers', () => {
    expect(unmatchedOmittedText(observed)).toBeUndefined();
  });

  it('says how many groups each direction lists, and of how many', () => {
    expect(
      unmatchedOmittedText({ ...observed, unmatchedCallerCount: 25 }),
    ).toBe(
      'Traffic no edge covers: showing 1 of the 25 groups of traffic to this workload, those with the most traffic in the evidence window.',
    );
    expect(
      unmatchedOmittedText({
        ...observed,
        unmatchedCallerCount: 25,
        unmatchedCalleeCount: 340,
      }),
    ).toBe(
      'Traffic no edge covers: showing 1 of the 25 groups of traffic to this workload and 0 of the 340 groups of traffic from it, those with the most traffic in the evidence window.',
    );
  });
});

describe('formatRate', () => {
  it('gives a rate per second, minute or hour, whichever is at least one', () => {
    expect(formatRate(36000, 3600)).toBe('10/s');
    expect(formatRate(5400, 3600)).toBe('1.5/s');
    expect(formatRate(150, 3600)).toBe('2.5/min');
    expect(formatRate(20, 3600)).toBe('20/h');
    expect(formatRate(1, 604800)).toBe('0.1/d');
    expect(formatRate(1, 30 * 86400)).toBe('< 0.1/d');
  });
});

describe('edgeTrafficText', () => {
  const windows = { recentSeconds: 3600, evidenceSeconds: 604800 };
  const counts = (mtls: number, plaintext = 0, denied = 0) => ({
    mtls,
    plaintext,
    denied,
  });
  const used = {
    status: 'used' as const,
    recent: counts(150, 6),
    evidence: counts(970, 30),
    mtlsShare: { recent: 150 / 156, evidence: 0.97 },
    sources: [],
    sourceCount: 2,
  };

  it('gives the mTLS share and counts of the evidence window and the recent rate', () => {
    expect(edgeTrafficText(used, windows)).toBe(
      'used · 97 % mTLS · 970 mTLS · 30 plaintext (7 d) · 2.6/min (1 h)',
    );
    expect(
      edgeTrafficText(
        { ...used, recent: counts(0), portsTold: false },
        windows,
      ),
    ).toBe(
      'used · 97 % mTLS · 970 mTLS · 30 plaintext (7 d) · none (1 h) · all ports',
    );
  });

  it('leaves the share out when nothing was accepted, and numbers out of unused edges', () => {
    expect(
      edgeTrafficText(
        {
          ...used,
          status: 'denied',
          recent: counts(0, 0, 3),
          evidence: counts(0, 0, 7),
          mtlsShare: { recent: null, evidence: null },
        },
        windows,
      ),
    ).toBe('denied observed · 7 denied (7 d) · 3/h (1 h)');
    expect(
      edgeTrafficText(
        {
          ...used,
          status: 'unused',
          recent: counts(0),
          evidence: counts(0),
          portsTold: false,
        },
        windows,
      ),
    ).toBe('unused · all ports');
    expect(edgeTrafficText(undefined, windows)).toBe('—');
  });
});
