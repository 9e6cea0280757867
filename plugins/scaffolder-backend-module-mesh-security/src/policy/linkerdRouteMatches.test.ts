import {
  describeMatches,
  linkerdPathMatch,
  overlap,
  RouteMatch,
  routeMatchesFor,
} from './linkerdRouteMatches';

describe('input paths as HTTPRoute path matches', () => {
  it.each([
    ['/status', { type: 'Exact', value: '/status' }],
    ['/reports/*', { type: 'PathPrefix', value: '/reports' }],
    ['/*', { type: 'PathPrefix', value: '/' }],
    ['/', { type: 'Exact', value: '/' }],
  ])('%s → %j', (input, match) => {
    expect(linkerdPathMatch(input)).toEqual(match);
  });

  it('refuses a suffix pattern, which Gateway API paths cannot express', () => {
    expect(() => linkerdPathMatch('*.json')).toThrow(
      /Path \*\.json: Linkerd HTTPRoutes match a path exactly or by prefix .* a suffix match cannot be expressed/,
    );
  });

  it('crosses methods and paths, without duplicates', () => {
    expect(
      describeMatches(routeMatchesFor(['GET', 'POST'], ['/a', '/b/*', '/b/*'])),
    ).toBe('GET /a, POST /a, GET /b/*, POST /b/*');
    expect(describeMatches(routeMatchesFor(['GET'], undefined))).toBe('GET /*');
  });

  it('refuses more matches than one HTTPRoute holds (16 rules × 8 matches)', () => {
    const paths = Array.from({ length: 20 }, (_, i) => `/p${i}`);
    expect(() =>
      routeMatchesFor(
        ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
        paths,
      ),
    ).toThrow(/140 method × path combinations exceed what one HTTPRoute holds/);
  });
});

describe('overlap of HTTPRoute matches', () => {
  const m = (path: string, method?: string, type?: string): RouteMatch => ({
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
    expect(overlap(a, b)).toBe(expected);
    expect(overlap(b, a)).toBe(expected);
  });
});
