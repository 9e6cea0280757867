import { engineOf } from '../engine';
import {
  authorizationPolicy,
  deployment,
  istioPair,
  namespace,
  peerAuthentication,
} from '../k8s';
import { counts, flow, fromWorkload, observations } from '../traffic';

/* Scenarios that raise every MS5xx code (observed traffic to shop/b), as codes. */

const estate = [
  ...istioPair(),
  deployment('shop', 'c'),
  namespace('legacy'),
  deployment('legacy', 'old'),
];
const b = { namespace: 'shop', name: 'b' };

const codes = (objects: unknown[], flows: Parameters<typeof observations>[0]) =>
  engineOf(objects)
    .traffic(observations(flows))
    .findings(b)
    .map(f => f.code);

export const TRAFFIC_CASES: Array<() => string[]> = [
  // Plaintext on STRICT (MS501); a grant to c unused (MS504), a refused and an accepted caller
  // outside the grant (MS505, MS506).
  () =>
    codes(
      [
        ...estate,
        peerAuthentication('shop', 'default', { mtls: { mode: 'STRICT' } }),
        authorizationPolicy('shop', 'allow-c', {
          selector: { matchLabels: { app: 'b' } },
          rules: [
            {
              from: [
                { source: { principals: ['cluster.local/ns/shop/sa/c'] } },
              ],
            },
          ],
        }),
      ],
      [
        flow('shop/b', fromWorkload('shop', 'a'), counts(4, 1, 2), {
          port: 8080,
        }),
      ],
    ),
  // PERMISSIVE with plaintext (MS502), then with only mTLS (MS503).
  () =>
    codes(estate, [
      flow('shop/b', fromWorkload('legacy', 'old'), counts(0, 3), {
        port: 8080,
      }),
    ]),
  () =>
    codes(estate, [
      flow('shop/b', fromWorkload('shop', 'a'), counts(9, 0), { port: 8080 }),
    ]),
];
