import {
  istioPathCovers,
  istioPathSample,
  istioPathsIntersect,
} from './pathPatterns';
import { pathMatch } from './authorizationMatch';

describe('Istio path patterns', () => {
  it.each([
    // outer, inner, covers(outer, inner), intersect
    ['*', '/a', true, true],
    ['/api/*', '/api/x', true, true],
    ['/api/*', '/apix', false, false],
    ['/api/x', '/api/*', false, true],
    ['*.json', '/a.json', true, true],
    ['/a/*', '*.json', false, true],
    ['/a', '/b', false, false],
    ['/a/*', '/b/*', false, false],
    ['/api/*', '/api/v1/*', true, true],
    ['/api/v1/*', '/api/*', false, true],
    ['/charge', '/charge', true, true],
    ['/charge', '/refund', false, false],
    ['/status', '/api/*', false, false],
    ['/api/{*}', '/api/{*}', true, true],
    ['/api/{*}', '/api/x', false, true],
    ['*', '/api/{**}', true, true],
  ])('%s and %s: covers %s, intersect %s', (outer, inner, covers, meet) => {
    expect(istioPathCovers(outer, inner)).toBe(covers);
    expect(istioPathsIntersect(outer, inner)).toBe(meet);
    expect(istioPathsIntersect(inner, outer)).toBe(meet);
  });

  it.each(['/api/*', '*.json', '/exact', '*'])(
    'samples a path %s matches',
    pattern => {
      expect(pathMatch(pattern, istioPathSample(pattern))).toBe(true);
    },
  );
});
