import fc from 'fast-check';
import { ALL_ACCESS_CASES } from '../__testUtils__/cases/access';
import { MTLS_CASES } from '../__testUtils__/cases/mtls';
import { createEngine } from '.';
import { parseManifests } from './core/manifests';
import { readObjects } from './core/reader';

/*
 * Bad input never throws: random values and mutated valid objects go through the reader, and
 * whatever snapshot comes out can be evaluated and queried.
 */

const seeds = [
  ...MTLS_CASES.flatMap(c => c.objects),
  ...ALL_ACCESS_CASES.flatMap(c => c.objects),
];

/** Replaces the value at a random path of a JSON object. */
function mutate(value: unknown, path: number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object')
    return replacement;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : Object.entries(value);
  if (entries.length === 0) return replacement;
  const [key] = entries[path[0] % entries.length];
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : { ...value };
  (copy as Record<string, unknown>)[key] = mutate(
    (value as Record<string, unknown>)[key],
    path.slice(1),
    replacement,
  );
  return copy;
}

function exercise(objects: unknown[]): void {
  const { snapshot, findings } = readObjects(objects);
  expect(Array.isArray(findings)).toBe(true);
  const engine = createEngine(JSON.parse(JSON.stringify(snapshot)));
  const { workloads } = engine.evaluate();
  for (const w of workloads.slice(0, 3)) {
    engine.callersOf(w);
    engine.check({
      from: { kind: 'external' },
      to: w,
      port: w.ports[0]?.port ?? 80,
      method: 'GET',
      path: '/',
    });
  }
}

describe('reader fuzzing', () => {
  it('random JSON values never throw', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.array(fc.jsonValue(), { maxLength: 5 }), values =>
          exercise(values),
        ),
        { numRuns: 150 },
      ),
    ).not.toThrow();
  });

  it('mutated valid objects never throw (findings instead)', () => {
    expect(() =>
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              seed: fc.nat(seeds.length - 1),
              path: fc.array(fc.nat(), { maxLength: 6 }),
              value: fc.oneof(
                fc.jsonValue(),
                fc.constant(undefined),
                fc.constant(null),
              ),
            }),
            { minLength: 1, maxLength: 6 },
          ),
          muts =>
            exercise([
              ...seeds.slice(0, 12),
              ...muts.map(m => mutate(seeds[m.seed], m.path, m.value)),
            ]),
        ),
        { numRuns: 200 },
      ),
    ).not.toThrow();
  });

  it('random text never makes parseManifests throw', () => {
    expect(() =>
      fc.assert(
        fc.property(fc.string({ maxLength: 200 }), text => {
          const r = parseManifests(text);
          return Array.isArray(r.objects) && Array.isArray(r.errors);
        }),
        { numRuns: 200 },
      ),
    ).not.toThrow();
  });
});
