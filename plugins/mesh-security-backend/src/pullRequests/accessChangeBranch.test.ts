import {
  isAccessChangeOf,
  parseAccessChangeBranch,
} from './accessChangeBranch';

describe('parseAccessChangeBranch', () => {
  it.each([
    [
      'mesh-security/request/payments-api-0123456789ab',
      { change: 'request', targetName: 'payments-api' },
    ],
    [
      'mesh-security/revoke/payments-api-0123456789ab',
      { change: 'revoke', targetName: 'payments-api' },
    ],
    [
      'mesh-security/enforce/inventory-ffffffffffff',
      { change: 'enforce', targetName: 'inventory' },
    ],
    [
      'mesh-security/request/a.b_c-0123456789ab',
      { change: 'request', targetName: 'a.b_c' },
    ],
    // The hash is the last 12 hex characters; a name may itself end in hex.
    [
      'mesh-security/request/cache-abcdef012345-0123456789ab',
      { change: 'request', targetName: 'cache-abcdef012345' },
    ],
  ])('reads %s', (branch, expected) => {
    expect(parseAccessChangeBranch(branch)).toEqual(expected);
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
  ])('ignores %s', branch => {
    expect(parseAccessChangeBranch(branch)).toBeUndefined();
  });
});

describe('isAccessChangeOf', () => {
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
  ])('%s is a change of %s: %s', (branch, name, expected) => {
    expect(isAccessChangeOf(branch, name)).toBe(expected);
  });
});
