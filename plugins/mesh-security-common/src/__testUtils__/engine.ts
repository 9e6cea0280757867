import { createEngine, Engine } from '../engine';
import { EngineOptions } from '../engine/core/options';
import { readObjects } from '../engine/core/reader';
import { Finding } from '../model';

/** Reads objects and builds an engine (the reader must not report anything malformed). */
export function engineOf(
  objects: unknown[],
  options: EngineOptions = {},
): Engine & { readFindings: Finding[] } {
  const { snapshot, findings } = readObjects(objects);
  const malformed = findings.filter(f => f.code === 'MS401');
  if (malformed.length > 0)
    throw new Error(
      `test fixture is malformed: ${malformed.map(f => f.message).join('; ')}`,
    );
  return Object.assign(createEngine(snapshot, options), {
    readFindings: findings,
  });
}
