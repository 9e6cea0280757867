import { buildFlows } from './flows';

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
  it('splits Istio requests by TLS state and windows, and counts 403s as denied', () => {
    const flows = buildFlows([
      {
        family: 'istio-requests',
        window: 'recent',
        samples: [istio({}, 119.6)],
      },
      {
        family: 'istio-requests',
        window: 'evidence',
        samples: [
          istio({}, 20000),
          istio({ connection_security_policy: 'none' }, 0.2),
        ],
      },
      {
        family: 'istio-denied-requests',
        window: 'evidence',
        samples: [istio({}, 7)],
      },
    ]);
    expect(flows).toEqual([
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
        // A fraction above zero is one request, not none.
        evidence: { mtls: 20000, plaintext: 1, denied: 7 },
      },
    ]);
    expect(flows[0]).not.toHaveProperty('port');
  });

  it('names plaintext from outside the mesh unknown, and a bare principal an identity', () => {
    const flows = buildFlows([
      {
        family: 'istio-connections',
        window: 'recent',
        samples: [
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
        ],
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
        samples: [
          linkerd({}, 10),
          linkerd({ tls: 'no_identity', client_id: '' }, 2),
          linkerd({ deployment: '', statefulset: 'ledger' }, 1),
          // No controller label: which workload received it cannot be told.
          linkerd({ deployment: '' }, 9),
        ],
      },
      {
        family: 'linkerd-denied-requests',
        window: 'recent',
        samples: [linkerd({ tls: 'no_identity', client_id: '' }, 2)],
      },
      {
        family: 'linkerd-connections',
        window: 'recent',
        // The same traffic as the HTTP flow: dropped.
        samples: [linkerd({}, 3), linkerd({ target_port: '9100' }, 4)],
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

  it('ignores an invalid target port rather than guessing one', () => {
    const [flow] = buildFlows([
      {
        family: 'linkerd-connections',
        window: 'evidence',
        samples: [linkerd({ target_port: '99999' }, 1)],
      },
    ]);
    expect(flow).not.toHaveProperty('port');
  });
});
