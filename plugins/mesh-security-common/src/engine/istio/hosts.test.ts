import { hostScore } from './hosts';

describe('hostScore', () => {
  const fqdn = 'payments.shop.svc.cluster.local';

  it('qualifies a short name with the rule namespace', () => {
    expect(hostScore('payments', fqdn, 'shop')).toBe(10000);
    expect(hostScore('payments', fqdn, 'other')).toBe(-1);
  });

  it('qualifies name.namespace with svc.cluster.local', () => {
    expect(hostScore('payments.shop', fqdn, 'other')).toBe(10000);
  });

  it('matches a full name and a ServiceEntry host as written', () => {
    expect(hostScore(fqdn, fqdn, 'other')).toBe(10000);
    expect(hostScore('api.example.com', 'api.example.com', 'x')).toBe(10000);
  });

  it('ranks a longer wildcard above a shorter one, and exact above both', () => {
    const shop = hostScore('*.shop.svc.cluster.local', fqdn, 'x');
    const all = hostScore('*.svc.cluster.local', fqdn, 'x');
    expect(shop).toBeGreaterThan(all);
    expect(all).toBeGreaterThan(0);
    expect(hostScore('*', fqdn, 'x')).toBe(1);
    expect(shop).toBeLessThan(10000);
  });

  it('does not match a wildcard of another namespace', () => {
    expect(hostScore('*.cart.svc.cluster.local', fqdn, 'x')).toBe(-1);
  });
});
