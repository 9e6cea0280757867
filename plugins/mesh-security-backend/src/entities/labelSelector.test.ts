import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import { matchesSelector, parseLabelSelector } from './labelSelector';

describe('label selectors (Kubernetes "Labels and Selectors")', () => {
  const labels = {
    app: 'web',
    tier: 'frontend',
    [KUBERNETES_ANNOTATION]: 'web',
  };
  it.each([
    ['equality', 'app=web', true],
    ['double equals', 'app==web', true],
    ['inequality matches', 'tier!=db', true],
    ['inequality matches a missing key', 'release!=canary', true],
    ['set in', 'tier in (frontend, backend)', true],
    ['set notin', 'tier notin (frontend)', false],
    ['notin matches a missing key', 'release notin (canary)', true],
    ['exists', 'app', true],
    ['not exists', '!release', true],
    ['AND of requirements', 'app=web,tier=backend', false],
    ['prefixed key', 'backstage.io/kubernetes-id=web', true],
    ['empty selector matches everything', '', true],
  ])('%s: %s → %s', (_name, selector, expected) => {
    expect(matchesSelector(parseLabelSelector(selector), labels)).toBe(
      expected,
    );
  });

  it.each([
    ['app=web,', 'empty requirement'],
    ['tier in (a', 'unbalanced parentheses'],
    ['app=we b', 'invalid label'],
    ['bad key!=x=y', 'invalid label'],
    ['x'.repeat(2000), 'too long'],
  ])('rejects %s', (selector, message) => {
    expect(() => parseLabelSelector(selector)).toThrow(message);
  });
});
