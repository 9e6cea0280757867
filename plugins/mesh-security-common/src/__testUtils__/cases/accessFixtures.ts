import { AccessRequest } from '../../model';
import { Obj, authorizationPolicy, deployment, namespace } from '../k8s';

/*
 * Objects and requests the access cases of several rule files share.
 */

export const toB = (
  over: Partial<AccessRequest> = {},
): Partial<AccessRequest> => ({
  from: { namespace: 'shop', name: 'a' },
  to: { namespace: 'shop', name: 'b' },
  port: 8080,
  ...over,
});
export const sel = { matchLabels: { app: 'b' } };
export const ap = (name: string, spec: Obj) =>
  authorizationPolicy('shop', name, spec);
export const fromSa = (sa: string) => [
  { from: [{ source: { principals: [`cluster.local/ns/shop/sa/${sa}`] } }] },
];
export const legacy = [namespace('legacy'), deployment('legacy', 'old')];
export const fromLegacy = { namespace: 'legacy', name: 'old' };
