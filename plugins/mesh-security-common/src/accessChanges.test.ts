import fc from 'fast-check';
import {
  ACCESS_CHANGE_KINDS,
  accessChangeTargetMarker,
  formatAccessChangeBranch,
  hasPolicyFileMarker,
  isAccessChangeOf,
  parseAccessChangeBranch,
  parseAccessChangeTargets,
  policyFileMarker,
} from './accessChanges';

describe('access-change branches', () => {
  it.each([
    [
      'mesh-security/request/payments-api-0123456789ab',
      { change: 'request', targetName: 'payments-api', hash: '0123456789ab' },
    ],
    [
      'mesh-security/revoke/payments-api-0123456789ab',
      { change: 'revoke', targetName: 'payments-api', hash: '0123456789ab' },
    ],
    [
      'mesh-security/enforce/inventory-ffffffffffff',
      { change: 'enforce', targetName: 'inventory', hash: 'ffffffffffff' },
    ],
    [
      'mesh-security/request/a.b_c-0123456789ab',
      { change: 'request', targetName: 'a.b_c', hash: '0123456789ab' },
    ],
    // The hash is the last 12 hex characters; a name may itself end in hex.
    [
      'mesh-security/request/cache-abcdef012345-0123456789ab',
      {
        change: 'request',
        targetName: 'cache-abcdef012345',
        hash: '0123456789ab',
      },
    ],
  ])('reads %s and writes it back', (branch, expected) => {
    expect(parseAccessChangeBranch(branch)).toEqual(expected);
    expect(formatAccessChangeBranch(expected as any)).toBe(branch);
  });

  it.each([
    ['main'],
    ['mesh-security/other/payments-api-0123456789ab'],
    ['mesh-security/request/payments-api'],
    ['mesh-security/request/payments-api-0123456789'],
    ['mesh-security/request/payments-api-0123456789AB'],
    ['mesh-security/request/payments-api-0123456789ab/extra'],
    ['feature/mesh-security/request/payments-api-0123456789ab'],
    ['mesh-security/request/-0123456789ab'],
    ['mesh-security/request/payments api-0123456789ab'],
    ['mesh-security/request/payments-api-0123456789ab\n'],
    ['Mesh-Security/request/payments-api-0123456789ab'],
  ])('ignores %j', branch => {
    expect(parseAccessChangeBranch(branch)).toBeUndefined();
  });

  it.each([
    [{ change: 'request', targetName: 'a/b', hash: '0123456789ab' }],
    [{ change: 'request', targetName: '', hash: '0123456789ab' }],
    [{ change: 'request', targetName: '-x', hash: '0123456789ab' }],
    [{ change: 'request', targetName: 'x\ny', hash: '0123456789ab' }],
    [{ change: 'request', targetName: 'x', hash: '0123456789AB' }],
    [{ change: 'request', targetName: 'x', hash: '0123' }],
    [{ change: 'grant', targetName: 'x', hash: '0123456789ab' }],
  ])('refuses to write %j', branch => {
    expect(() => formatAccessChangeBranch(branch as any)).toThrow(
      /Not an access-change branch/,
    );
  });

  it('reads back every branch it writes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ACCESS_CHANGE_KINDS),
        fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/),
        fc.stringMatching(/^[0-9a-f]{12}$/),
        (change, targetName, hash) => {
          const branch = { change, targetName, hash };
          expect(
            parseAccessChangeBranch(formatAccessChangeBranch(branch)),
          ).toEqual(branch);
        },
      ),
    );
  });

  it.each([
    ['mesh-security/request/payments-api-0123456789ab', 'payments-api', true],
    ['mesh-security/request/Payments-API-0123456789ab', 'payments-api', true],
    ['mesh-security/request/payments-api-0123456789ab', 'payments', false],
    ['mesh-security/request/payments-0123456789ab', 'payments-api', false],
    [
      'mesh-security/request/payments-api-ledger-0123456789ab',
      'payments-api',
      false,
    ],
    ['main', 'main', false],
  ])('%s is a change of %s: %s', (branch, name, expected) => {
    expect(isAccessChangeOf(branch, name)).toBe(expected);
  });
});

describe('target markers', () => {
  it('reads back what it writes, in lower case, each once', () => {
    const body = [
      accessChangeTargetMarker('component:default/payments-api'),
      '### a',
      accessChangeTargetMarker('component:finance/Ledger'),
      accessChangeTargetMarker('component:default/payments-api'),
    ].join('\n');
    expect(body).toContain(
      '<!-- mesh-security:target=component:default/payments-api -->',
    );
    expect(parseAccessChangeTargets(body)).toEqual([
      'component:default/payments-api',
      'component:finance/ledger',
    ]);
  });

  it.each([
    [undefined],
    [null],
    [42],
    [''],
    ['no markers'],
    // Quoted user text: the actions escape `<!--` so that it cannot forge a marker.
    ['> &lt;!-- mesh-security:target=component:default/payments-api --&gt;'],
    ['<!-- mesh-security:target=component:default/pay ments -->'],
    ['<!-- mesh-security:target= -->'],
    [`<!-- mesh-security:target=${'x'.repeat(301)} -->`],
    ['<!--mesh-security:target=component:default/payments-api-->'],
  ])('finds no target in %j', body => {
    expect(parseAccessChangeTargets(body)).toBeUndefined();
  });

  it('reads at most 50 targets', () => {
    const body = Array.from({ length: 80 }, (_, i) =>
      accessChangeTargetMarker(`component:default/c${i}`),
    ).join('\n');
    expect(parseAccessChangeTargets(body)).toHaveLength(50);
  });

  it.each([
    ['component:default/x -->'],
    ['component:default/x\n<!-- mesh-security:target=component:default/y'],
    [''],
    ['x'.repeat(301)],
  ])('refuses to write a marker for %j', ref => {
    expect(() => accessChangeTargetMarker(ref)).toThrow(
      /Not an entity reference/,
    );
  });
});

describe('policy-file markers', () => {
  const path = 'clusters/demo/payments/authorization/payments-api.yaml';

  it('finds the marker it writes, for that path only', () => {
    const body = `${policyFileMarker(path)}\n## Mesh Security access change`;
    expect(body.startsWith('<!-- mesh-security:policy-file=clusters/')).toBe(
      true,
    );
    expect(hasPolicyFileMarker(body, path)).toBe(true);
    expect(hasPolicyFileMarker(body, `${path}.bak`)).toBe(false);
    expect(hasPolicyFileMarker(body, path.replace('.yaml', '.yml'))).toBe(
      false,
    );
    expect(
      hasPolicyFileMarker(`${policyFileMarker(`${path}.bak`)}\n`, path),
    ).toBe(false);
  });

  it.each([[undefined], [null], [7], [''], [path]])(
    'finds no marker in %j',
    body => {
      expect(hasPolicyFileMarker(body, path)).toBe(false);
    },
  );

  it.each([[''], ['a.yaml -->'], ['a\nb.yaml'], [`${'a'.repeat(1025)}`]])(
    'refuses to write a marker for %j',
    bad => {
      expect(() => policyFileMarker(bad)).toThrow(/Not a policy path/);
    },
  );
});
