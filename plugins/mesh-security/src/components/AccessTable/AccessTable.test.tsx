import { renderInTestApp } from '@backstage/test-utils';
import { render, screen } from '@testing-library/react';
import { EntityWorkload } from '@mesh-security/plugin-mesh-security-common';
import { observedPaymentsApiWorkload } from '../../__testUtils__/fixtures';
import {
  AccessTable,
  accessRows,
  breakAfterDots,
  requestsText,
} from './AccessTable';

const workload = (callers: EntityWorkload['callers']): EntityWorkload =>
  ({
    callers,
    callees: [],
    blockedCallers: [],
    observed: {
      observations: observedPaymentsApiWorkload.observed.observations,
      unmatchedCallers: [],
      unmatchedCallees: [],
    },
  } as unknown as EntityWorkload);
const checkout = {
  cluster: 'demo',
  namespace: 'storefront',
  name: 'checkout',
  kind: 'Deployment',
};

describe('accessRows', () => {
  it('gives one row per allowed method/path combination, never pairing what no rule pairs', () => {
    const rows = accessRows(
      workload([
        {
          peer: checkout,
          port: 8080,
          methods: ['GET', 'POST'],
          paths: ['/charge', '/status'],
          operations: [
            { methods: ['POST'], paths: ['/charge'] },
            { methods: ['GET'], paths: ['/status'] },
          ],
          decidedBy: {
            layer: 'authorization',
            policy: 'AuthorizationPolicy payments/a',
          },
          portMtls: 'STRICT',
        },
      ]),
    );
    expect(rows.map(r => [r.methods, r.paths])).toEqual([
      ['POST', '/charge'],
      ['GET', '/status'],
    ]);
    expect(new Set(rows.map(r => r.id)).size).toBe(2);
  });

  it('gives one row for an edge with a single restriction or none', () => {
    const rows = accessRows(
      workload([
        {
          peer: checkout,
          port: 8080,
          methods: ['GET'],
          decidedBy: { layer: 'authorization' },
          portMtls: 'STRICT',
          protocol: 'http',
        },
        {
          peer: { kind: 'any-meshed', mesh: 'istio', count: 3 },
          port: 9090,
          decidedBy: { layer: 'default' },
          portMtls: 'STRICT',
        },
      ]),
    );
    expect(rows.map(r => [r.port, r.protocol, r.methods, r.paths])).toEqual([
      [8080, 'http', 'GET', 'any'],
      [9090, '—', 'any', 'any'],
    ]);
  });

  it('gives each edge its observed status and lists traffic no edge allows', () => {
    const rows = accessRows(observedPaymentsApiWorkload);
    expect(
      rows.map(r => [r.peer, r.port, r.traffic, r.observed, r.direction]),
    ).toEqual([
      [
        'storefront/checkout',
        8080,
        'used',
        'used · 100 % mTLS · 120 mTLS (7 d) · 20/h (1 h)',
        'calls this workload',
      ],
      ['External (plaintext)', 9090, 'unused', 'unused', 'calls this workload'],
      [
        'Any Istio workload (12)',
        8080,
        'unused',
        'unused',
        'calls this workload',
      ],
      [
        'payments/payments-ledger',
        5432,
        undefined,
        '—',
        'is called by this workload',
      ],
      [
        'storefront/storefront-web',
        8080,
        'denied',
        'denied observed · 7 denied (7 d) · 2/h (1 h)',
        'called this workload, no edge allows it',
      ],
    ]);
  });

  it('gives each row its effective protection and the port mode, blocked callers their reason', () => {
    const rows = accessRows({
      ...workload([
        {
          peer: { kind: 'outside-mesh', mesh: 'istio', count: 4 },
          port: 8080,
          decidedBy: { layer: 'default' },
          portMtls: 'PERMISSIVE',
          connection: 'plaintext',
        },
        {
          peer: checkout,
          port: 15012,
          decidedBy: { layer: 'default' },
          portMtls: 'DISABLED',
          connection: 'tls',
        },
      ]),
      blockedCallers: [
        {
          peer: checkout,
          port: 8080,
          decidedBy: { layer: 'authorization' },
          portMtls: 'STRICT',
          connection: 'plaintext',
          blocked: {
            layer: 'mtls',
            reason: 'port 8080 is STRICT and the rule sends plaintext',
            finding: 'MS103',
          },
        },
      ],
    });
    expect(rows.map(r => [r.peer, r.direction, r.mtls, r.caveats])).toEqual([
      [
        'Any workload outside Istio (4)',
        'calls this workload',
        'plaintext (port PERMISSIVE)',
        '',
      ],
      ['storefront/checkout', 'calls this workload', 'TLS (port DISABLED)', ''],
      [
        'storefront/checkout',
        'is blocked from calling this workload',
        'blocked: plaintext (port STRICT)',
        'port 8080 is STRICT and the rule sends plaintext (MS103)',
      ],
    ]);
  });

  it('names a network peer by its address ranges', () => {
    const rows = accessRows(
      workload([
        {
          peer: {
            kind: 'network',
            cidrs: ['203.0.113.0/24'],
            address: 'remote',
          },
          port: 8080,
          decidedBy: {
            layer: 'authorization',
            policy: 'AuthorizationPolicy payments/partners',
          },
          portMtls: 'PERMISSIVE',
          connection: 'plaintext',
        },
      ]),
    );
    expect(rows.map(r => [r.peer, r.mtls, r.policy])).toEqual([
      [
        'Network 203.0.113.0/24 (original client address)',
        'plaintext (port PERMISSIVE)',
        'AuthorizationPolicy payments/partners',
      ],
    ]);
  });
});

describe('requestsText', () => {
  it('says which methods and paths a row allows, in one column', () => {
    expect(requestsText({ methods: 'POST', paths: '/charge' })).toBe(
      'POST /charge',
    );
    expect(requestsText({ methods: 'any', paths: 'any' })).toBe('any');
    expect(requestsText({ methods: 'GET, HEAD', paths: 'any' })).toBe(
      'GET, HEAD any path',
    );
    expect(requestsText({ methods: 'any', paths: '/health' })).toBe(
      'any method /health',
    );
    expect(requestsText({ methods: '—', paths: '—' })).toBe('—');
  });
});

describe('AccessTable', () => {
  it('has six columns: direction under the peer, caveats under the deciding policy', async () => {
    await renderInTestApp(
      <AccessTable workload={observedPaymentsApiWorkload} />,
    );
    expect(screen.getAllByRole('columnheader').map(h => h.textContent)).toEqual(
      ['Peer', 'Port', 'mTLS', 'Requests', 'Decided by', 'Observed'],
    );
    const row = screen.getByText('storefront/checkout').closest('tr')!;
    expect([...row.querySelectorAll('td')].map(td => td.textContent)).toEqual([
      'storefront/checkoutcalls this workload',
      '8080',
      'mTLS (port STRICT)',
      'POST /charge',
      'authorizationAuthorizationPolicy payments/payments-api-allow-checkout',
      'used · 100 % mTLS · 120 mTLS (7 d) · 20/h (1 h)',
    ]);
    const denied = screen.getByText('storefront/storefront-web').closest('tr')!;
    expect(denied).toHaveTextContent(
      '(no edge)the receiving proxy refused its requests',
    );
    expect(denied).toHaveTextContent('called this workload, no edge allows it');
    // A caller no policy names: the default layer, said once.
    const any = screen.getByText('External (plaintext)').closest('tr')!;
    expect(any.querySelectorAll('td')[4]).toHaveTextContent(
      /^default: no policy applies$/,
    );
  });

  it('gives the port with its protocol when the edge names one', async () => {
    const [edge] = observedPaymentsApiWorkload.callers;
    await renderInTestApp(
      <AccessTable
        workload={{
          ...observedPaymentsApiWorkload,
          callers: [{ ...edge, protocol: 'http' }],
        }}
      />,
    );
    const row = screen.getByText('storefront/checkout').closest('tr')!;
    expect(row.querySelectorAll('td')[1]).toHaveTextContent(/^8080\/http$/);
  });

  it('says when the answer lists only the groups of unmatched traffic with the most traffic', async () => {
    const note = /showing 0 of the 340 groups of traffic from it/;
    await renderInTestApp(
      <AccessTable workload={observedPaymentsApiWorkload} />,
    );
    expect(
      screen.getByText('called this workload, no edge allows it'),
    ).toBeInTheDocument();
    expect(screen.queryByText(note)).toBeNull();
    await renderInTestApp(
      <AccessTable
        workload={{
          ...observedPaymentsApiWorkload,
          observed: {
            ...observedPaymentsApiWorkload.observed,
            unmatchedCalleeCount: 340,
          },
        }}
      />,
    );
    expect(screen.getByText(note)).toBeInTheDocument();
  });
});

describe('breakAfterDots', () => {
  it('lets a mesh identity wrap at its dots, its text unchanged', async () => {
    const identity =
      'prometheus.linkerd-viz.serviceaccount.identity.linkerd.cluster.local';
    const { container } = render(<span>{breakAfterDots(identity)}</span>);
    expect(container.querySelectorAll('wbr')).toHaveLength(6);
    expect(container).toHaveTextContent(identity);
    expect(breakAfterDots('payments/payments-api')).toBe(
      'payments/payments-api',
    );
  });
});
