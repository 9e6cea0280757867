import { buildLastSeenQuery, buildQuery, promqlString } from './queries';

describe('promqlString', () => {
  it.each([
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['line\nbreak\r', '"line\\nbreak\\r"'],
    ['"} or vector(1) # ', '"\\"} or vector(1) # "'],
  ])('quotes %j as %s', (value, quoted) => {
    expect(promqlString(value)).toBe(quoted);
  });
});

describe('buildQuery', () => {
  it('aggregates Istio requests reported where received (destination or waypoint), per workload, source and TLS', () => {
    expect(buildQuery('istio-requests', 3600)).toBe(
      'sum by (destination_workload_namespace, destination_workload, source_workload_namespace, source_workload, source_principal, connection_security_policy) (increase(istio_requests_total{reporter=~"destination|waypoint"}[3600s])) > 0',
    );
  });

  it('counts 403s reported where received as Istio denials', () => {
    expect(buildQuery('istio-denied-requests', 60)).toContain(
      'istio_requests_total{reporter=~"destination|waypoint",response_code="403"}[60s]',
    );
  });

  it('counts connections ztunnel closed for authorization as Istio denials', () => {
    expect(buildQuery('istio-denied-connections', 60)).toBe(
      'sum by (destination_workload_namespace, destination_workload, source_workload_namespace, source_workload, source_principal, connection_security_policy) (increase(istio_tcp_connections_closed_total{reporter="destination",response_flags="DENY"}[60s])) > 0',
    );
  });

  it('reads Linkerd inbound requests per controller label, target port, TLS and client identity', () => {
    const query = buildQuery('linkerd-requests', 604800);
    expect(query).toBe(
      'sum by (namespace, deployment, statefulset, daemonset, job, cronjob, replicaset, replicationcontroller, target_port, tls, client_id) (increase(request_total{direction="inbound",target_ip!~"0\\\\.0\\\\.0\\\\.0|::"}[604800s])) > 0',
    );
    expect(buildQuery('linkerd-denied-connections', 60)).toContain(
      'increase(inbound_tcp_authz_deny_total{target_ip!~"0\\\\.0\\\\.0\\\\.0|::"}[60s])',
    );
  });

  it('counts Linkerd requests refused for no authorization and for no route as denied', () => {
    // 403s of a route no authorization admits, 404s of a Server none of whose routes match: the
    // two counters never share a label set (a deny names its route), so one selector reads both.
    expect(buildQuery('linkerd-denied-requests', 60)).toBe(
      'sum by (namespace, deployment, statefulset, daemonset, job, cronjob, replicaset, replicationcontroller, target_port, tls, client_id) (increase({__name__=~"inbound_http_authz_deny_total|inbound_http_route_not_found_total",target_ip!~"0\\\\.0\\\\.0\\\\.0|::"}[60s])) > 0',
    );
  });

  it("leaves out the Linkerd proxy's own connections and its admin server", () => {
    // Accepted connections only: not the proxy's own to its application (`peer="dst"`) …
    expect(buildQuery('linkerd-connections', 60)).toContain(
      'tcp_open_total{direction="inbound",peer="src",target_ip!~"0\\\\.0\\\\.0\\\\.0|::"}',
    );
    // … and, in every family, nothing its admin server (on an unspecified address) received.
    for (const family of [
      'linkerd-requests',
      'linkerd-denied-requests',
      'linkerd-denied-connections',
    ] as const) {
      expect(buildQuery(family, 60)).toContain(
        'target_ip!~"0\\\\.0\\\\.0\\\\.0|::"',
      );
    }
    expect(buildLastSeenQuery('linkerd-last-seen', 3600, 60)).toContain(
      ',direction!="outbound",peer!="dst",target_ip!~"0\\\\.0\\\\.0\\\\.0|::"}',
    );
  });

  it('selects one cluster by an escaped label value', () => {
    expect(
      buildQuery('linkerd-connections', 60, {
        label: 'cluster',
        value: 'eu"} or up{x="',
      }),
    ).toContain(
      'tcp_open_total{direction="inbound",peer="src",target_ip!~"0\\\\.0\\\\.0\\\\.0|::",cluster="eu\\"} or up{x=\\""}[60s]',
    );
  });

  it('refuses a label name PromQL would not parse, and a fractional window', () => {
    expect(() =>
      buildQuery('istio-requests', 60, { label: 'a-b', value: 'x' }),
    ).toThrow('"a-b" is not a Prometheus label name');
    expect(() => buildQuery('istio-requests', 1.5)).toThrow(
      'not a whole number of seconds',
    );
  });
});

describe('buildLastSeenQuery', () => {
  it('keeps the latest step of the evidence window with traffic, every Istio family together', () => {
    expect(buildLastSeenQuery('istio-last-seen', 604800, 300)).toBe(
      'max_over_time((timestamp(sum by (destination_workload_namespace, destination_workload, source_workload_namespace, source_workload, source_principal) (increase({__name__=~"istio_requests_total|istio_tcp_connections_opened_total",reporter=~"destination|waypoint"}[300s])) > 0))[604800s:300s])',
    );
  });

  it('reads Linkerd requests, connections and denials by port, TLS and identity, in one cluster', () => {
    const query = buildLastSeenQuery('linkerd-last-seen', 3600, 60, {
      label: 'cluster',
      value: 'eu"}',
    });
    expect(query).toContain(
      '{__name__=~"request_total|tcp_open_total|inbound_http_authz_deny_total|inbound_http_route_not_found_total|inbound_tcp_authz_deny_total",direction!="outbound",peer!="dst",target_ip!~"0\\\\.0\\\\.0\\\\.0|::",cluster="eu\\"}"}[60s]',
    );
    expect(query).toContain('target_port, tls, client_id)');
    expect(query).toMatch(/\[3600s:60s\]\)$/);
  });

  it('refuses a fractional step and a label name PromQL would not parse', () => {
    expect(() => buildLastSeenQuery('istio-last-seen', 3600, 0.5)).toThrow(
      'not a whole number of seconds',
    );
    expect(() =>
      buildLastSeenQuery('istio-last-seen', 3600, 60, {
        label: '1x',
        value: 'x',
      }),
    ).toThrow('"1x" is not a Prometheus label name');
  });
});
