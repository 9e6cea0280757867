import {
  OverviewItem,
  READY_FOR_STRICT_LIMIT,
} from '@mesh-security/plugin-mesh-security-common';
import { ComponentEvidence, overviewTraffic } from './overviewTraffic';

const item = (n: number): OverviewItem =>
  ({
    entityRef: `component:default/c-${String(n).padStart(3, '0')}`,
    name: `c-${String(n).padStart(3, '0')}`,
    owner: 'group:default/team',
  } as OverviewItem);

const evidence = (ready: boolean): ComponentEvidence => ({
  observed: true,
  mtls: 10,
  plaintext: 0,
  ready: ready
    ? {
        workloads: [
          {
            cluster: 'c',
            namespace: 'ns',
            name: 'w',
            kind: 'Deployment',
            message: 'Port 8080 received only mTLS.',
          },
        ],
        mtls: 10,
      }
    : { workloads: [], mtls: 0 },
});

describe('overviewTraffic', () => {
  it('lists the first ready components by entity reference, and says how many are ready', () => {
    // 250 components, in reverse order; the even ones (125) are ready.
    const matching = Array.from({ length: 250 }, (_, i) => item(249 - i));
    const byRef = new Map(
      matching.map(m => [
        m.entityRef,
        evidence(Number(m.name.slice(2)) % 2 === 0),
      ]),
    );
    const traffic = overviewTraffic(matching, byRef, []);
    expect(traffic.readyForStrictCount).toBe(125);
    expect(traffic.readyForStrict).toHaveLength(READY_FOR_STRICT_LIMIT);
    expect(traffic.readyForStrict.slice(0, 3).map(r => r.name)).toEqual([
      'c-000',
      'c-002',
      'c-004',
    ]);
    expect(traffic.readyForStrict.at(-1)!.name).toBe('c-198');
    // The sums cover every matching component, not the list.
    expect(traffic.total).toMatchObject({ mtls: 2500, components: 250 });
  });

  it('lists every ready component when there are no more than the limit', () => {
    const matching = [item(2), item(1)];
    const byRef = new Map(matching.map(m => [m.entityRef, evidence(true)]));
    const traffic = overviewTraffic(matching, byRef, []);
    expect(traffic.readyForStrict.map(r => r.name)).toEqual(['c-001', 'c-002']);
    expect(traffic.readyForStrictCount).toBe(2);
  });
});
