import { engineOf } from '../__testUtils__/engine';
import { authorizationPolicy, deployment, istioPair, namespace, networkPolicy, peerAuthentication } from '../__testUtils__/k8s';
import { AccessEdge } from '../model';

const peerName = (e: AccessEdge) => ('name' in e.peer ? `${e.peer.namespace}/${e.peer.name}` : e.peer.kind);

describe('callersOf / calleesOf', () => {
  const base = [...istioPair(), deployment('shop', 'c'), namespace('legacy'), deployment('legacy', 'old')];

  it('without policies: every workload, any meshed identity and external clients (PERMISSIVE) may call', () => {
    const edges = engineOf(base).callersOf({ namespace: 'shop', name: 'b' });
    expect(edges.map(peerName).sort()).toEqual(['any-meshed', 'external-plaintext', 'legacy/old', 'shop/a', 'shop/c']);
    expect(edges.every(e => e.port === 8080 && e.decidedBy.layer === 'default')).toBe(true);
  });

  it('STRICT removes plaintext callers (mTLS layer)', () => {
    const edges = engineOf([...base, peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } })]).callersOf({ namespace: 'shop', name: 'b' });
    expect(edges.map(peerName).sort()).toEqual(['any-meshed', 'shop/a', 'shop/c']);
  });

  it('an ALLOW policy names the callers and the deciding policy; method restrictions are reported', () => {
    const ap = authorizationPolicy('shop', 'b-allow-a', { selector: { matchLabels: { app: 'b' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/a'] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }] }] });
    const edges = engineOf([...base, ap]).callersOf({ namespace: 'shop', name: 'b' }, 8080);
    expect(edges).toEqual([{ peer: { cluster: 'default', namespace: 'shop', name: 'a', kind: 'Deployment' }, port: 8080, methods: ['GET'], paths: ['/api/*'], decidedBy: { layer: 'authorization', policy: 'AuthorizationPolicy shop/b-allow-a' }, portMtls: 'PERMISSIVE' }]);
  });

  it('a NetworkPolicy decides when it is the only restricting layer', () => {
    const np = networkPolicy('shop', 'b-from-c', { podSelector: { matchLabels: { app: 'b' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'c' } } }] }] });
    const edges = engineOf([...base, np]).callersOf({ namespace: 'shop', name: 'b' });
    expect(edges.map(peerName)).toEqual(['shop/c']);
    expect(edges[0].decidedBy).toEqual({ layer: 'network-policy', policy: 'NetworkPolicy shop/b-from-c' });
  });

  it('calleesOf lists the ports a workload may call', () => {
    const edges = engineOf([...base, authorizationPolicy('shop', 'deny-all-c', { selector: { matchLabels: { app: 'c' } } })]).calleesOf({ namespace: 'shop', name: 'a' });
    expect(edges.map(peerName).sort()).toEqual(['legacy/old', 'shop/b']);
  });
});
