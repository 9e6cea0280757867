import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { EntityWorkload } from '@mesh-security/plugin-mesh-security-common';
import {
  observedPaymentsApiWorkload,
  paymentsApiWorkload,
} from '../../__testUtils__/fixtures';
import { fakeLayout } from '../../__testUtils__/resizeObserver';
import { AccessGraph } from './AccessGraph';

const checkout = paymentsApiWorkload.callers[0];
const withBlocked: EntityWorkload = {
  ...paymentsApiWorkload,
  blockedCallers: [
    {
      ...checkout,
      peer: {
        ...checkout.peer,
        name: 'payments-batch',
      } as typeof checkout.peer,
      connection: 'plaintext',
      blocked: {
        layer: 'mtls',
        policy: 'DestinationRule payments/plaintext',
        reason: 'port 8080 is STRICT and the rule sends plaintext',
        finding: 'MS103',
      },
    },
  ],
};

const callee = (
  namespace: string,
  name: string,
  port: number,
): EntityWorkload['callees'][number] => ({
  peer: { kind: 'Deployment', cluster: 'demo', namespace, name },
  port,
  decidedBy: { layer: 'default' },
  portMtls: 'PERMISSIVE',
  connection: 'plaintext',
});

describe('AccessGraph', () => {
  it('says the drawing scrolls sideways when it is wider than its box, on any screen', async () => {
    const restore = fakeLayout({ box: 800, content: 1400 });
    try {
      await renderInTestApp(<AccessGraph workload={paymentsApiWorkload} />);
      expect(
        screen.getByText('Scroll the graph sideways to see every peer'),
      ).toBeInTheDocument();
    } finally {
      restore();
    }
  });

  it('says nothing of scrolling when the drawing fits its box', async () => {
    const restore = fakeLayout({ box: 1400, content: 800 });
    try {
      await renderInTestApp(<AccessGraph workload={paymentsApiWorkload} />);
      expect(
        screen.getByRole('group', {
          name: 'Access graph of payments/payments-api',
        }),
      ).toBeInTheDocument();
      expect(
        screen.queryByText('Scroll the graph sideways to see every peer'),
      ).not.toBeInTheDocument();
    } finally {
      restore();
    }
  });

  it('leaves platform peers out until asked, and groups peers no policy applies to', async () => {
    await renderInTestApp(
      <AccessGraph
        workload={{
          ...paymentsApiWorkload,
          callees: [
            ...paymentsApiWorkload.callees,
            callee('kube-system', 'coredns', 53),
            callee('legacy', 'legacy-billing', 8080),
            callee('data', 'analytics-api', 9990),
          ],
        }}
      />,
    );
    const graph = screen.getByRole('group', {
      name: 'Access graph of payments/payments-api',
    });
    expect(screen.getByLabelText('Platform peers hidden')).toHaveTextContent(
      '1 platform peer not drawn: kube-system/coredns (the access table lists them).',
    );
    expect(
      within(graph).queryByRole('img', {
        name: /^Callee kube-system\/coredns/,
      }),
    ).not.toBeInTheDocument();
    expect(
      within(graph).getByRole('img', {
        name: 'Callee No policy applies (2 workloads) (many workloads): legacy/legacy-billing, data/analytics-api',
      }),
    ).toBeInTheDocument();

    fireEvent.click(
      screen.getByRole('checkbox', { name: /^Show platform peers/ }),
    );
    expect(
      within(graph).getByRole('img', {
        name: 'Callee kube-system/coredns (platform component)',
      }),
    ).toBeInTheDocument();
    expect(
      screen.queryByLabelText('Platform peers hidden'),
    ).not.toBeInTheDocument();

    fireEvent.click(
      screen.getByRole('checkbox', {
        name: 'Show each peer no policy applies to',
      }),
    );
    expect(
      within(graph).getByRole('img', {
        name: 'Callee legacy/legacy-billing (workload)',
      }),
    ).toBeInTheDocument();
  });

  it('names every line by its peer, ports and effective protection, reachable by keyboard', async () => {
    await renderInTestApp(<AccessGraph workload={withBlocked} />);
    const graph = screen.getByRole('group', {
      name: 'Access graph of payments/payments-api',
    });
    const names = within(graph)
      .getAllByTestId('access-edge')
      .map(e => [e.getAttribute('aria-label'), e.getAttribute('tabindex')]);
    expect(names).toEqual([
      [
        'storefront/checkout to payments/payments-api, ports 8080 POST /charge: mTLS (mesh identity)',
        '0',
      ],
      [
        'External (plaintext) to payments/payments-api, ports 9090: plaintext',
        '0',
      ],
      [
        'Any Istio workload (12) to payments/payments-api, ports 8080 GET: mTLS (mesh identity)',
        '0',
      ],
      [
        'storefront/payments-batch to payments/payments-api, ports 8080 POST /charge: blocked by configuration (meant to connect, rejected): port 8080 is STRICT and the rule sends plaintext (MS103)',
        '0',
      ],
      [
        'payments/payments-api to payments/payments-ledger, ports 5432: protection not known',
        '0',
      ],
    ]);
    // The words are drawn too, never colour alone.
    expect(within(graph).getByText('blocked · 8080 POST /charge')).toBeTruthy();
    expect(within(graph).getByText('plaintext · 9090')).toBeTruthy();
    expect(
      within(graph).getByRole('img', {
        name: 'Caller storefront/payments-batch (workload)',
      }),
    ).toHaveAttribute('tabindex', '0');
  });

  it('has a legend of every protection and node kind', async () => {
    await renderInTestApp(<AccessGraph workload={paymentsApiWorkload} />);
    const legend = screen.getByRole('group', { name: 'Edge legend' });
    for (const text of [
      'mTLS (mesh identity)',
      'TLS without a mesh identity',
      'plaintext',
      'blocked by configuration (meant to connect, rejected)',
      'protection not known',
    ])
      expect(within(legend).getByText(text)).toBeTruthy();
    expect(screen.getByText(/PARTIAL when ports differ/)).toBeTruthy();
    const nodes = screen.getByRole('group', { name: 'Node legend' });
    expect(within(nodes).getByText('this workload')).toBeTruthy();
    expect(within(nodes).getByText(/many workloads/)).toBeTruthy();
    expect(within(nodes).getByText('Network peer (by address)')).toBeTruthy();
  });

  it('draws callers admitted by address as network peers', async () => {
    await renderInTestApp(
      <AccessGraph
        workload={{
          ...paymentsApiWorkload,
          callers: [
            {
              peer: {
                kind: 'network',
                cidrs: ['10.20.0.0/16'],
                except: ['10.20.9.0/24'],
              },
              port: 8080,
              methods: ['GET'],
              decidedBy: {
                layer: 'authorization',
                policy: 'AuthorizationPolicy payments/office',
              },
              portMtls: 'PERMISSIVE',
              connection: 'plaintext',
            },
          ],
          callees: [],
        }}
      />,
    );
    const graph = screen.getByRole('group', {
      name: 'Access graph of payments/payments-api',
    });
    const node = within(graph).getByRole('img', {
      name: 'Caller Network 10.20.0.0/16 except 10.20.9.0/24 (network peer, admitted by address)',
    });
    expect(node).toHaveAttribute('data-peer-role', 'network');
    expect(
      within(graph)
        .getAllByTestId('access-edge')
        .map(e => e.getAttribute('aria-label')),
    ).toEqual([
      'Network 10.20.0.0/16 except 10.20.9.0/24 to payments/payments-api, ports 8080 GET: plaintext',
    ]);
    expect(screen.queryByText(/No allowed callers or callees/)).toBeNull();
  });

  it('filters by direction', async () => {
    await renderInTestApp(<AccessGraph workload={paymentsApiWorkload} />);
    fireEvent.change(screen.getByLabelText('Show'), {
      target: { value: 'callees' },
    });
    expect(
      screen.getAllByTestId('access-edge').map(e => e.dataset.protection),
    ).toEqual(['unknown']);
    expect(screen.queryByText('storefront/checkout')).toBeNull();
  });

  it('says so when there is nothing to draw', async () => {
    await renderInTestApp(
      <AccessGraph
        workload={{
          ...paymentsApiWorkload,
          callers: [],
          callees: [],
          blockedCallers: [],
        }}
      />,
    );
    expect(
      screen.getByText(
        'No allowed callers or callees were found for this workload.',
      ),
    ).toBeTruthy();
  });

  it('says when the answer lists only the groups of unmatched traffic with the most traffic', async () => {
    const note = /showing 1 of the 25 groups of traffic to this workload/;
    await renderInTestApp(
      <AccessGraph workload={observedPaymentsApiWorkload} />,
    );
    expect(screen.queryByText(note)).toBeNull();
    await renderInTestApp(
      <AccessGraph
        workload={{
          ...observedPaymentsApiWorkload,
          observed: {
            ...observedPaymentsApiWorkload.observed,
            unmatchedCallerCount: 25,
          },
        }}
      />,
    );
    expect(screen.getByText(note)).toBeInTheDocument();
  });

  it('draws a long name cut, whole in the tooltip and the accessible name', async () => {
    const name = `reporting-${'x'.repeat(50)}`;
    await renderInTestApp(
      <AccessGraph
        workload={{
          ...paymentsApiWorkload,
          callers: [
            {
              ...checkout,
              peer: { ...checkout.peer, name } as typeof checkout.peer,
            },
          ],
        }}
      />,
    );
    const node = screen.getByRole('img', {
      name: `Caller storefront/${name} (workload)`,
    });
    const drawn = node.querySelector('text')!.textContent!;
    expect(drawn).toMatch(/^storefront\/reporting-x+…$/);
    expect(drawn).toHaveLength(48);
    expect(node.querySelector('title')).toHaveTextContent(`storefront/${name}`);
  });
});
