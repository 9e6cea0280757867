import { HeldFlow, NO_TRAFFIC, buildFlows } from './flows';
import { LINKERD_WORKLOAD_LABELS } from './queries';

const vector = (
  samples: Array<{ labels: Record<string, string>; value: number }>,
) => ({
  labels: samples.map(s => s.labels),
  values: Float64Array.from(samples.map(s => s.value)),
});

const istio = (labels: Record<string, string>, value: number) => ({
  labels: {
    destination_workload_namespace: 'storefront',
    destination_workload: 'checkout',
    source_workload_namespace: 'storefront',
    source_workload: 'storefront-web',
    source_principal: 'spiffe://cluster.local/ns/storefront/sa/storefront-web',
    connection_security_policy: 'mutual_tls',
    ...labels,
  },
  value,
});

const linkerd = (labels: Record<string, string>, value: number) => ({
  labels: {
    namespace: 'data',
    deployment: 'analytics-api',
    target_port: '8080',
    tls: 'true',
    client_id: 'etl-worker.data.serviceaccount.identity.linkerd.cluster.local',
    ...labels,
  },
  value,
});

describe('buildFlows', () => {
  it('splits Istio requests by TLS state and windows, and counts 403s as denied, not accepted', () => {
    const flows = buildFlows([
      {
        family: 'istio-requests',
        window: 'recent',
        answer: vector([istio({}, 119.6)]),
      },
      {
        family: 'istio-requests',
        window: 'evidence',
        answer: vector([
          istio({}, 20000),
          istio({ connection_security_policy: 'none' }, 0.2),
        ]),
      },
      {
        family: 'istio-denied-requests',
        window: 'evidence',
        answer: vector([istio({}, 7)]),
      },
    ]);
    // As the cache stores them: the plain shape.
    expect(flows.map(f => f.toJSON())).toEqual([
      {
        mesh: 'istio',
        to: { namespace: 'storefront', name: 'checkout' },
        from: {
          kind: 'workload',
          namespace: 'storefront',
          name: 'storefront-web',
          identity: 'spiffe://cluster.local/ns/storefront/sa/storefront-web',
        },
        protocol: 'http',
        recent: { mtls: 120, plaintext: 0, denied: 0 },
        // A fraction above zero is one request, not none; the 7 refused (403) are among the
        // 20,000 requests counted, and not accepted.
        evidence: { mtls: 19993, plaintext: 1, denied: 7 },
      },
    ]);
    expect(flows[0].port).toBeUndefined();
    expect(flows[0].toJSON()).not.toHaveProperty('port');
    // As the engine reads them: each window's counts.
    expect(flows[0].recent).toEqual({ mtls: 120, plaintext: 0, denied: 0 });
    expect(flows[0].evidence).toEqual({ mtls: 19993, plaintext: 1, denied: 7 });
  });

  it('names plaintext from outside the mesh unknown, and a bare principal an identity', () => {
    const flows = buildFlows([
      {
        family: 'istio-connections',
        window: 'recent',
        answer: vector([
          istio(
            {
              source_workload: 'unknown',
              source_workload_namespace: 'unknown',
              source_principal: 'unknown',
              connection_security_policy: 'none',
            },
            3,
          ),
          istio(
            {
              source_workload: 'unknown',
              source_workload_namespace: 'unknown',
              connection_security_policy: 'mutual_tls',
            },
            4,
          ),
          // Not attributable to a receiving workload: left out.
          istio({ destination_workload: 'unknown' }, 5),
          // Neither mutual_tls nor none: not proven encrypted.
          istio({ connection_security_policy: 'unknown' }, 6),
        ]),
      },
    ]);
    expect(flows.map(f => [f.protocol, f.from, f.recent])).toEqual([
      ['tcp', { kind: 'unknown' }, { mtls: 0, plaintext: 3, denied: 0 }],
      [
        'tcp',
        {
          kind: 'identity',
          identity: 'spiffe://cluster.local/ns/storefront/sa/storefront-web',
        },
        { mtls: 4, plaintext: 0, denied: 0 },
      ],
      [
        'tcp',
        expect.objectContaining({ kind: 'workload', name: 'storefront-web' }),
        { mtls: 0, plaintext: 6, denied: 0 },
      ],
    ]);
  });

  it('reads Linkerd flows per port and client identity, with denials, sharing objects', () => {
    const flows = buildFlows([
      {
        family: 'linkerd-requests',
        window: 'recent',
        answer: vector([
          linkerd({}, 10),
          linkerd({ tls: 'no_identity', client_id: '' }, 2),
          linkerd({ deployment: '', statefulset: 'ledger' }, 1),
          // No controller label: which workload received it cannot be told.
          linkerd({ deployment: '' }, 9),
        ]),
      },
      {
        family: 'linkerd-denied-requests',
        window: 'recent',
        answer: vector([linkerd({ tls: 'no_identity', client_id: '' }, 2)]),
      },
      {
        family: 'linkerd-connections',
        window: 'recent',
        // The same traffic as the HTTP flow: dropped.
        answer: vector([linkerd({}, 3), linkerd({ target_port: '9100' }, 4)]),
      },
    ]);
    expect(
      flows.map(f => [f.to.name, f.port, f.protocol, f.from.kind, f.recent]),
    ).toEqual([
      [
        'analytics-api',
        8080,
        'http',
        'identity',
        { mtls: 10, plaintext: 0, denied: 0 },
      ],
      [
        'analytics-api',
        8080,
        'http',
        'unknown',
        { mtls: 0, plaintext: 2, denied: 2 },
      ],
      [
        'analytics-api',
        9100,
        'tcp',
        'identity',
        { mtls: 4, plaintext: 0, denied: 0 },
      ],
      [
        'ledger',
        8080,
        'http',
        'identity',
        { mtls: 1, plaintext: 0, denied: 0 },
      ],
    ]);
    expect(flows[0].to).toBe(flows[1].to);
    expect(flows[0].from).toBe(flows[3].from);
  });

  it('counts only TLS with a client identity as mutual TLS', () => {
    const [flow] = buildFlows([
      {
        family: 'linkerd-requests',
        window: 'evidence',
        answer: vector([
          // TLS the proxy terminated for a client without a certificate …
          linkerd({ client_id: '' }, 3),
          // … TLS it passed through to the application, and no TLS at all.
          linkerd({ tls: 'opaque', client_id: '', sni: 'db.example.com' }, 2),
          linkerd({ tls: 'disabled', client_id: '' }, 1),
        ]),
      },
    ]);
    expect(flow.from).toEqual({ kind: 'unknown' });
    expect(flow.evidence).toEqual({ mtls: 0, plaintext: 6, denied: 0 });
  });

  it('counts the connections ztunnel refused as denied, not accepted, in either order', () => {
    const opened = {
      family: 'istio-connections' as const,
      window: 'evidence' as const,
      answer: vector([
        istio({ connection_security_policy: 'unknown' }, 5),
        istio({}, 7),
      ]),
    };
    const refused = {
      family: 'istio-denied-connections' as const,
      window: 'evidence' as const,
      // `increase()` extrapolates each counter: the refused can round above the opened.
      answer: vector([
        istio({ connection_security_policy: 'unknown' }, 5.4),
        istio({}, 2),
      ]),
    };
    for (const answers of [
      [opened, refused],
      [refused, opened],
    ]) {
      const flows = buildFlows(answers);
      expect(flows.map(f => [f.protocol, f.evidence])).toEqual([
        ['tcp', { mtls: 5, plaintext: 0, denied: 7 }],
      ]);
    }
  });

  it('ignores an invalid target port rather than guessing one', () => {
    const [flow] = buildFlows([
      {
        family: 'linkerd-connections',
        window: 'evidence',
        answer: vector([linkerd({ target_port: '99999' }, 1)]),
      },
    ]);
    expect(flow.port).toBeUndefined();
    expect(flow.toJSON()).not.toHaveProperty('port');
  });

  it.each(LINKERD_WORKLOAD_LABELS.map((label, i) => [label, i]))(
    'names the receiving workload by %s when no earlier controller label is set',
    (label, i) => {
      const labels: Record<string, string> = { deployment: '' };
      LINKERD_WORKLOAD_LABELS.forEach((other, j) => {
        if (j >= i) labels[other] = `by-${other}`;
      });
      const [flow] = buildFlows([
        {
          family: 'linkerd-requests',
          window: 'recent',
          answer: vector([linkerd(labels, 1)]),
        },
      ]);
      expect(flow.to.name).toBe(`by-${label}`);
    },
  );

  it('reads ports again after a series without one, and between ports', () => {
    const flows = buildFlows([
      {
        family: 'linkerd-requests',
        window: 'recent',
        answer: vector([
          linkerd({ target_port: '9100' }, 1),
          linkerd({ target_port: '' }, 1),
          linkerd({ target_port: '9100' }, 1),
          linkerd({ target_port: '8080' }, 1),
        ]),
      },
    ]);
    expect(flows.map(f => [f.port, f.recent.mtls])).toEqual([
      [9100, 2],
      [undefined, 1],
      [8080, 1],
    ]);
  });

  it('shares one frozen zero for windows without traffic', () => {
    const flows = buildFlows([
      {
        family: 'linkerd-requests',
        window: 'evidence',
        answer: vector([linkerd({}, 5), linkerd({ target_port: '9100' }, 6)]),
      },
      {
        family: 'linkerd-requests',
        window: 'recent',
        answer: vector([linkerd({ target_port: '9100' }, 1)]),
      },
    ]);
    expect(flows.map(f => [f.port, f.recent, f.evidence])).toEqual([
      [
        8080,
        { mtls: 0, plaintext: 0, denied: 0 },
        { mtls: 5, plaintext: 0, denied: 0 },
      ],
      [
        9100,
        { mtls: 1, plaintext: 0, denied: 0 },
        { mtls: 6, plaintext: 0, denied: 0 },
      ],
    ]);
    expect(flows[0].recent).toBe(NO_TRAFFIC);
    expect(Object.isFrozen(NO_TRAFFIC)).toBe(true);
    expect(flows[1].recent).not.toBe(NO_TRAFFIC);
  });

  it('sets when each flow was last seen, for either protocol, from its source and port', () => {
    const flows = buildFlows([
      {
        family: 'linkerd-last-seen',
        window: 'evidence',
        answer: vector([
          linkerd({}, 1795434600),
          linkerd({ target_port: '9100' }, 1795431000),
          // Another source on the same port: not the flows of etl-worker.
          linkerd(
            {
              client_id:
                'other.data.serviceaccount.identity.linkerd.cluster.local',
            },
            1795435200,
          ),
        ]),
      },
      {
        family: 'linkerd-requests',
        window: 'evidence',
        answer: vector([linkerd({}, 5)]),
      },
      {
        family: 'linkerd-connections',
        window: 'evidence',
        answer: vector([linkerd({ target_port: '9100' }, 2)]),
      },
      {
        family: 'istio-requests',
        window: 'evidence',
        answer: vector([istio({}, 3)]),
      },
    ]);
    expect(flows.map(f => [f.mesh, f.port, f.protocol, f.lastSeen])).toEqual([
      ['linkerd', 8080, 'http', '2026-11-23T11:50:00.000Z'],
      ['linkerd', 9100, 'tcp', '2026-11-23T10:50:00.000Z'],
      // No last-seen answer names it: unknown, not guessed.
      ['istio', undefined, 'http', undefined],
    ]);
  });
});

describe('HeldFlow', () => {
  const to = { namespace: 'shop', name: 'b' };
  const from = { kind: 'unknown' as const };

  it('reads each window as counts, a window without traffic as the shared zero', () => {
    const flow = new HeldFlow('linkerd', to, 8080, from, 'tcp');
    expect(flow.recent).toBe(NO_TRAFFIC);
    flow.add('evidence', 'plaintext', 3);
    flow.add('evidence', 'plaintext', 2);
    flow.add('evidence', 'denied', 1);
    flow.add('recent', 'mtls', 4);
    expect(flow.evidence).toEqual({ mtls: 0, plaintext: 5, denied: 1 });
    expect(flow.recent).toEqual({ mtls: 4, plaintext: 0, denied: 0 });
    expect(Object.isFrozen(NO_TRAFFIC)).toBe(true);
  });

  it('stores the plain shape, which decodes to the same flow', () => {
    const flow = new HeldFlow('istio', to, undefined, from, 'http');
    flow.set('recent', { mtls: 1, plaintext: 2, denied: 0 });
    flow.set('evidence', undefined);
    flow.lastSeen = '2026-12-01T10:00:00.000Z';
    const stored = JSON.parse(JSON.stringify(flow));
    expect(stored).toEqual({
      mesh: 'istio',
      to,
      from,
      protocol: 'http',
      recent: { mtls: 1, plaintext: 2, denied: 0 },
      evidence: { mtls: 0, plaintext: 0, denied: 0 },
      lastSeen: '2026-12-01T10:00:00.000Z',
    });
    const decoded = new HeldFlow('istio', to, undefined, from, 'http');
    decoded.set('recent', stored.recent);
    decoded.set('evidence', stored.evidence);
    decoded.lastSeen = stored.lastSeen;
    expect(decoded.toJSON()).toEqual(flow.toJSON());
  });
});
