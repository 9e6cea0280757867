import { LayeredMap } from './layeredMap';

describe('LayeredMap', () => {
  const valuesOf = (map: LayeredMap<string>) => {
    const values: string[] = [];
    map.forEachValue(v => values.push(v));
    return values.sort();
  };

  it('reads through to the generation before, which keeps its own answers', () => {
    const first = LayeredMap.empty<string>();
    first.set('a', 'a1');
    first.set('b', 'b1');
    const second = first.over();
    second.set('b', 'b2');
    second.set('c', 'c2');
    const third = second.over();
    third.set('a', 'a3');

    expect([first.depth, second.depth, third.depth]).toEqual([1, 2, 3]);
    expect(['a', 'b', 'c', 'd'].map(k => third.get(k))).toEqual([
      'a3',
      'b2',
      'c2',
      undefined,
    ]);
    expect(['a', 'b', 'c'].map(k => second.get(k))).toEqual(['a1', 'b2', 'c2']);
    expect(['a', 'b', 'c'].map(k => first.get(k))).toEqual([
      'a1',
      'b1',
      undefined,
    ]);
  });

  it('visits every key once, with its current value', () => {
    const first = LayeredMap.empty<string>();
    first.set('a', 'a1');
    first.set('b', 'b1');
    const second = first.over();
    second.set('a', 'a2');
    const third = second.over();
    third.set('a', 'a3');
    third.set('c', 'c3');

    expect(valuesOf(third)).toEqual(['a3', 'b1', 'c3']);
    expect(valuesOf(second)).toEqual(['a2', 'b1']);
    expect(valuesOf(first)).toEqual(['a1', 'b1']);
  });

  it('tells a value set to undefined from a key not set', () => {
    const first = LayeredMap.empty<string | undefined>();
    first.set('a', 'a1');
    const second = first.over();
    second.set('a', undefined);
    expect(second.get('a')).toBeUndefined();
    expect(first.get('a')).toBe('a1');
  });
});
