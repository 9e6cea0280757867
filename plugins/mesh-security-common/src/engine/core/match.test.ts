import { selectorMatches, serviceSelects, servicesIn } from './match';

describe('selectorMatches', () => {
  it('holds every matchLabels pair and every expression', () => {
    const labels = { app: 'a', tier: 'backend' };
    expect(selectorMatches(undefined, labels)).toBe(true);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'a' } }, labels)).toBe(true);
    expect(
      selectorMatches({ matchLabels: { app: 'a', tier: 'frontend' } }, labels),
    ).toBe(false);
    expect(
      selectorMatches(
        {
          matchLabels: { app: 'a' },
          matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['x'] }],
        },
        labels,
      ),
    ).toBe(true);
  });

  it('reads only the selector’s own labels', () => {
    const inherited = Object.create({ app: 'b' }) as Record<string, string>;
    expect(selectorMatches({ matchLabels: inherited }, { app: 'a' })).toBe(
      true,
    );
  });
});

describe('serviceSelects', () => {
  // Kubernetes "Services without selectors": no selector, or an empty one, selects no pod.
  it('selects the pods carrying every pair of a non-empty selector', () => {
    const labels = { app: 'a', tier: 'backend' };
    expect(serviceSelects({ selector: { app: 'a' } }, labels)).toBe(true);
    expect(
      serviceSelects({ selector: { app: 'a', tier: 'backend' } }, labels),
    ).toBe(true);
    expect(serviceSelects({ selector: { app: 'a', tier: 'x' } }, labels)).toBe(
      false,
    );
    expect(serviceSelects({ selector: { other: 'a' } }, labels)).toBe(false);
  });

  it('selects no pod without a selector or with an empty one', () => {
    expect(serviceSelects({ selector: null }, { app: 'a' })).toBe(false);
    expect(serviceSelects({ selector: {} }, { app: 'a' })).toBe(false);
    expect(serviceSelects({ selector: {} }, {})).toBe(false);
    const onlyInherited = Object.create({ app: 'a' }) as Record<string, string>;
    expect(serviceSelects({ selector: onlyInherited }, { app: 'a' })).toBe(
      false,
    );
  });
});

describe('servicesIn', () => {
  const services = [
    { namespace: 'shop', name: 'a' },
    { namespace: 'mall', name: 'b' },
    { namespace: 'shop', name: 'c' },
  ];

  it('gives one namespace’s Services in their order, none for another', () => {
    expect(servicesIn(services, 'shop').map(s => s.name)).toEqual(['a', 'c']);
    expect(servicesIn(services, 'mall').map(s => s.name)).toEqual(['b']);
    expect(servicesIn(services, 'other')).toEqual([]);
  });

  it('groups a list once, and another list on its own', () => {
    // The same list gives the same group (grouped once); a new list is grouped anew.
    expect(servicesIn(services, 'shop')).toBe(servicesIn(services, 'shop'));
    const next = [...services, { namespace: 'shop', name: 'd' }];
    expect(servicesIn(next, 'shop').map(s => s.name)).toEqual(['a', 'c', 'd']);
    expect(servicesIn(services, 'shop').map(s => s.name)).toEqual(['a', 'c']);
  });
});
