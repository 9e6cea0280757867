import { RouteMatch, routeMatchOf } from './httpRoute';
import {
  gatewayPathMatch,
  routeMatchesOverlap,
  sameRouteMatches,
} from './httpRouteMatches';

describe('access-request paths as Gateway API path matches', () => {
  it.each([
    ['/status', { type: 'Exact', value: '/status' }],
    ['/reports/*', { type: 'PathPrefix', value: '/reports' }],
    ['/*', { type: 'PathPrefix', value: '/' }],
    ['/', { type: 'Exact', value: '/' }],
    ['*.json', undefined],
  ])('%s → %j', (input, match) => {
    expect(gatewayPathMatch(input)).toEqual(match);
  });
});

describe('same HTTPRoute matches', () => {
  const match = (raw: Record<string, unknown>) => routeMatchOf(raw);
  it('compares as sets, a PathPrefix trailing slash ignored, conditions included', () => {
    const a = match({
      method: 'GET',
      path: { type: 'PathPrefix', value: '/api/' },
    });
    const b = match({ method: 'GET', path: { value: '/api' } });
    const c = match({ path: { type: 'Exact', value: '/x' } });
    expect(sameRouteMatches([a, c], [c, b, b])).toBe(true);
    expect(sameRouteMatches([a], [c])).toBe(false);
    const narrowed = match({
      method: 'GET',
      path: { value: '/api' },
      headers: [{ name: 'X-Team', value: 'a' }],
    });
    expect(sameRouteMatches([a], [narrowed])).toBe(false);
  });
});

describe('overlap of HTTPRoute matches', () => {
  const m = (path: string, method?: string, type?: string): RouteMatch =>
    routeMatchOf({
      ...(method ? { method } : {}),
      path: {
        type: type ?? (path.endsWith('/*') ? 'PathPrefix' : 'Exact'),
        value: path.replace(/\/\*$/, '') || '/',
      },
    });
  it.each<[RouteMatch, RouteMatch, boolean]>([
    [m('/api/*', 'GET'), m('/api/x', 'GET'), true],
    [m('/api/*', 'GET'), m('/api/x', 'POST'), false],
    [m('/api/*'), m('/apix'), false],
    [m('/api/*'), m('/api'), true], // element-wise prefix: /api matches itself
    [m('/*'), m('/anything', 'DELETE'), true],
    [m('/a/*'), m('/a/b/*'), true],
    [m('/a'), m('/b'), false],
    [m('^/a.*', undefined, 'RegularExpression'), m('/b'), true],
  ])('%j and %j: %s', (a, b, expected) => {
    expect(routeMatchesOverlap(a, b)).toBe(expected);
    expect(routeMatchesOverlap(b, a)).toBe(expected);
  });
});
