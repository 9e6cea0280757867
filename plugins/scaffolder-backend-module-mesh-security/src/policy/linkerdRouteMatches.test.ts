import {
  describeRouteMatches,
  gatewayPathMatch,
} from '@mesh-security/plugin-mesh-security-common';
import { linkerdPathMatch, routeMatchesFor } from './linkerdRouteMatches';

describe('input paths as HTTPRoute path matches', () => {
  it("takes the engine's path match", () => {
    expect(linkerdPathMatch('/reports/*')).toEqual(
      gatewayPathMatch('/reports/*'),
    );
  });

  it('refuses a suffix pattern, which Gateway API paths cannot express', () => {
    expect(() => linkerdPathMatch('*.json')).toThrow(
      /Path \*\.json: Linkerd HTTPRoutes match a path exactly or by prefix .* a suffix match cannot be expressed/,
    );
  });

  it('crosses methods and paths, without duplicates', () => {
    expect(
      describeRouteMatches(
        routeMatchesFor(['GET', 'POST'], ['/a', '/b/*', '/b/*']),
      ),
    ).toBe('GET /a, POST /a, GET /b/*, POST /b/*');
    expect(describeRouteMatches(routeMatchesFor(['GET'], undefined))).toBe(
      'GET /*',
    );
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
