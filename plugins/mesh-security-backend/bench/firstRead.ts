/*
 * What the first read of bench:watch is held against (docs/benchmarks.md "The floor of the first
 * read"): the list bodies the backend was served, read again from the mock, then `JSON.parse` of
 * them and the least the watcher does with them before any evaluation.
 */
import { performance } from 'node:perf_hooks';
import { LISTED_KINDS } from '../src/sources/kinds';
import { restore } from '../src/sources/listKind';
import { trimObject } from '../src/sources/trim';
import { parseListPath } from './mockKubernetes';

/** One list page as served: its body and the path of the list it belongs to. */
export interface ListBody {
  body: string;
  path: string;
}

/** Every list the backend started (`listed`, per cluster), followed page by page. */
export async function readListBodies(
  urls: string[],
  listed: string[][],
): Promise<ListBody[]> {
  const bodies: ListBody[] = [];
  for (let i = 0; i < urls.length; i++) {
    for (const first of listed[i].filter(u => !u.includes('continue='))) {
      let next: string | undefined = first;
      while (next) {
        const body: string = await (await fetch(`${urls[i]}${next}`)).text();
        bodies.push({ body, path: first });
        const cont = JSON.parse(body).metadata?.continue;
        next = cont
          ? `${first}&continue=${encodeURIComponent(cont)}`
          : undefined;
      }
    }
  }
  return bodies;
}

/** The best of three rounds, in milliseconds. */
function best(round: () => void): number {
  const rounds: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    round();
    rounds.push(performance.now() - t);
  }
  return Math.min(...rounds);
}

/**
 * `parseMs`: `JSON.parse` of the bodies. `listWorkMs`: what `KubernetesWatcher` does with them
 * before any evaluation — decode the bytes, parse, keep the kind's objects, restore
 * apiVersion/kind, trim, and hold each object's JSON.
 */
export function timeFirstRead(bodies: ListBody[]): {
  parseMs: number;
  listWorkMs: number;
  listBodies: { count: number; bytes: number };
} {
  const parseMs = best(() => {
    for (const { body } of bodies) JSON.parse(body);
  });
  const pages = bodies.map(({ body, path }) => {
    const parts = parseListPath(path.split('?')[0]);
    const kind = LISTED_KINDS.find(
      k => k.group === parts?.group && k.plural === parts?.plural,
    );
    return { bytes: Buffer.from(body), kind, version: parts?.version ?? '' };
  });
  let held = 0;
  const listWorkMs = best(() => {
    held = 0;
    for (const { bytes, kind, version } of pages) {
      const items = JSON.parse(bytes.toString('utf8')).items as unknown[];
      if (!kind) continue;
      for (const item of kind.keep ? items.filter(kind.keep) : items)
        held += JSON.stringify(trimObject(restore(kind, version, item))).length;
    }
  });
  if (held === 0) throw new Error('no list body was read again');
  return {
    parseMs,
    listWorkMs,
    listBodies: {
      count: bodies.length,
      bytes: bodies.reduce((n, { body }) => n + Buffer.byteLength(body), 0),
    },
  };
}
