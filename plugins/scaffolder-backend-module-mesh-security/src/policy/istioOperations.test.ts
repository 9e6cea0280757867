import { Operation, Revocation, subtract } from './istioOperations';

describe('subtract', () => {
  it.each<[string, Operation, Revocation, Operation[] | undefined]>([
    [
      'a method out of a list',
      { methods: ['GET', 'POST'], paths: ['/charge'] },
      { methods: ['POST'] },
      [{ methods: ['GET'], paths: ['/charge'] }],
    ],
    [
      'an operation fully revoked',
      { methods: ['POST'], paths: ['/charge'], ports: ['8080'] },
      { methods: ['POST'], paths: ['/charge'] },
      [],
    ],
    [
      'requests the operation does not allow',
      { methods: ['POST'], paths: ['/charge'] },
      { methods: ['GET'] },
      undefined,
    ],
    [
      'a port from an operation on every port (notPorts)',
      { methods: ['GET'] },
      { ports: ['9090'] },
      [{ methods: ['GET'], notPorts: ['9090'] }],
    ],
    [
      'one path under a prefix (notPaths)',
      { paths: ['/api/*'] },
      { paths: ['/api/admin'] },
      [{ paths: ['/api/*'], notPaths: ['/api/admin'] }],
    ],
    [
      'method AND path: the rest is two operations',
      { methods: ['GET', 'POST'], paths: ['/a', '/b'] },
      { methods: ['POST'], paths: ['/a'] },
      [
        { methods: ['GET'], paths: ['/a', '/b'] },
        { methods: ['GET', 'POST'], paths: ['/b'] },
      ],
    ],
    [
      'values already excluded',
      { notPaths: ['/admin'] },
      { paths: ['/admin'] },
      undefined,
    ],
  ])('%s', (_, op, revocation, expected) => {
    expect(subtract(op, revocation)).toEqual(expected);
  });
});
