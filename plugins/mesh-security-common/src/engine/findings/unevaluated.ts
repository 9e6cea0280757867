import { Finding } from '../../model';
import { EngineContext } from '../core/context';
import { IDENTITY_FINDINGS } from './identity';
import { makeFinding } from './make';

/**
 * MS408: one finding per unmodelled object or setting that may affect at least one workload of
 * the snapshot (docs/engine.md "Not evaluated"), naming how many as servers and as clients.
 */
export function unevaluatedFindings(context: EngineContext): Finding[] {
  const sources = context.unevaluated.sources;
  if (sources.length === 0) return [];
  const counts = new Map<string, { inbound: number; outbound: number }>();
  for (const workload of context.snapshot.workloads) {
    const { inbound, outbound } = context.info(workload).notEvaluated;
    for (const [list, side] of [
      [inbound, 'inbound'],
      [outbound, 'outbound'],
    ] as const)
      for (const n of list) {
        const count = counts.get(n.ref) ?? { inbound: 0, outbound: 0 };
        count[side] += 1;
        counts.set(n.ref, count);
      }
  }
  const seen = new Set<string>();
  return sources.flatMap(source => {
    const count = counts.get(source.ref);
    // An input that could not be read is no object to fix (docs/engine.md "Unavailable inputs").
    if (!count || seen.has(source.ref) || source.unavailable) return [];
    seen.add(source.ref);
    const sides = [
      count.inbound > 0 ? `${count.inbound} as servers` : '',
      count.outbound > 0 ? `${count.outbound} as clients` : '',
    ].filter(Boolean);
    return [
      makeFinding(
        IDENTITY_FINDINGS.notEvaluated,
        { ...source.object, cluster: context.options.cluster },
        `not evaluated: ${
          source.ref
        }; it may change the verdicts of workloads (${sides.join(', ')})`,
      ),
    ];
  });
}
