import { PortMemo } from './portMemo';

describe('PortMemo', () => {
  it('computes a value once per object and port', () => {
    const memo = new PortMemo<object, string>();
    const a = {};
    const b = {};
    const computed: string[] = [];
    const get = (o: object, name: string, port: number) =>
      memo.get(o, port, () => {
        computed.push(`${name}:${port}`);
        return `${name}:${port}`;
      });
    expect(get(a, 'a', 80)).toBe('a:80');
    expect(get(a, 'a', 443)).toBe('a:443');
    expect(get(b, 'b', 80)).toBe('b:80');
    expect(get(a, 'a', 80)).toBe('a:80');
    expect(get(a, 'a', 443)).toBe('a:443');
    expect(get(b, 'b', 80)).toBe('b:80');
    expect(computed).toEqual(['a:80', 'a:443', 'b:80']);
  });

  it('keeps values that look like ports apart from the ports', () => {
    // Pairs are stored flat: a value equal to a port number is never taken for a port.
    const memo = new PortMemo<object, number>();
    const o = {};
    expect(memo.get(o, 1, () => 2)).toBe(2);
    expect(memo.get(o, 2, () => 3)).toBe(3);
    expect(memo.get(o, 2, () => 99)).toBe(3);
    expect(memo.get(o, 1, () => 99)).toBe(2);
  });
});
