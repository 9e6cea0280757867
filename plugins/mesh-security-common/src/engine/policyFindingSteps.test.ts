import {
  authorizationPolicy,
  deployment,
  namespace,
  networkPolicy,
} from '../__testUtils__/k8s';
import { policyFindings, policyFindingSteps } from '.';
import { EngineContext } from './core/context';
import { readObjects } from './core/reader';

const CLUSTER = 'c1';

describe('policyFindingSteps', () => {
  it('takes AuthorizationPolicies and NetworkPolicies a few dozen per step', () => {
    // 130 of each, selecting nothing in a namespace with a workload: each one's MS202 / MS301
    // must be listed once, whichever step it falls in.
    const objects: unknown[] = [namespace('shop'), deployment('shop', 'a')];
    for (let i = 0; i < 130; i++) {
      objects.push(
        authorizationPolicy('shop', `ap-${i}`, {
          selector: { matchLabels: { app: `none-${i}` } },
          rules: [{}],
        }),
        networkPolicy('shop', `np-${i}`, {
          podSelector: { matchLabels: { app: `none-${i}` } },
          policyTypes: ['Ingress'],
        }),
      );
    }
    const { snapshot } = readObjects(objects, { cluster: CLUSTER });
    const steps = policyFindingSteps(
      new EngineContext(snapshot, { cluster: CLUSTER }),
    );
    let taken = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) taken++;
    // A step per family (six), and one more per 64 policies of the two kinds (130: two each).
    expect(taken).toBe(6 + 2 + 2);
    const named = (code: string) =>
      step.value
        .filter(f => f.code === code)
        .map(f => f.object.name)
        .sort();
    const names = (prefix: string) =>
      Array.from({ length: 130 }, (_, i) => `${prefix}-${i}`).sort();
    expect(named('MS202')).toEqual(names('ap'));
    expect(named('MS301')).toEqual(names('np'));
    // Taken at once (a first evaluation), the same list.
    expect(step.value).toEqual(
      policyFindings(new EngineContext(snapshot, { cluster: CLUSTER })),
    );
  });
});
