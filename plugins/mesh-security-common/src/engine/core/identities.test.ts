import {
  istioPrincipal,
  linkerdIdentity,
  parseIstioPrincipal,
  parseLinkerdIdentity,
  parseMeshIdentity,
} from './identities';

const account = {
  trustDomain: 'corp.example',
  namespace: 'shop',
  serviceAccount: 'web',
};

describe('mesh identities', () => {
  it('reads back what it formats', () => {
    expect(
      parseIstioPrincipal(istioPrincipal('corp.example', 'shop', 'web')),
    ).toEqual(account);
    expect(
      parseLinkerdIdentity(linkerdIdentity('corp.example', 'shop', 'web')),
    ).toEqual(account);
    expect(linkerdIdentity('cluster.local', 'shop', 'web')).toBe(
      'web.shop.serviceaccount.identity.linkerd.cluster.local',
    );
  });

  it('accepts an Istio principal written as a SPIFFE ID', () => {
    expect(parseMeshIdentity('spiffe://corp.example/ns/shop/sa/web')).toEqual(
      account,
    );
  });

  it.each([
    'cluster.local/ns/shop/sa/*',
    'cluster.local/ns/Shop/sa/web',
    'cluster.local/ns/shop/sa/web\n',
    '*.shop.serviceaccount.identity.linkerd.cluster.local',
    'web.shop.serviceaccount.identity.linkerd.',
    'component:default/web',
  ])('refuses %j', text => {
    expect(parseMeshIdentity(text)).toBeUndefined();
  });
});
