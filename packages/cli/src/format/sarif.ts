import {
  EstateImpact,
  Finding,
  findingDefinition,
  isMtlsDowngrade,
  ObjectRef,
  readObjects,
  Severity,
} from '@mesh-security/plugin-mesh-security-common';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { ManifestSet, ObjectLocation } from '../inputs';

/*
 * SARIF 2.1.0 (OASIS, "Static Analysis Results Interchange Format Version 2.1.0") for code
 * scanning: one result per finding and per risky change, located at the file and line of the
 * YAML object that causes it (docs/cli.md "SARIF").
 */

const kindKey = (kind: string, namespace: string, name: string) =>
  `${kind}|${namespace}|${name}`;

/** Orders locations by file, then line: of duplicates, the first is the one shown. */
const earlier = (a: ObjectLocation, b: ObjectLocation) =>
  a.file !== b.file ? a.file < b.file : a.line < b.line;

/** What `readObjects` names an object it cannot read the metadata of. */
const UNNAMED = '(unnamed)';

/**
 * Finds the file and line of an object by kind, namespace and name, in the head then the base.
 * Of several objects of the same kind, namespace and name, the earliest (file, then line) is
 * shown, whatever the order the inputs were read in.
 */
export class ObjectLocator {
  private readonly index = new Map<string, ObjectLocation>();

  constructor(...sets: ManifestSet[]) {
    this.sets = sets;
    // The first set wins: results are about the head, resolved findings about the base.
    for (const set of [...sets].reverse()) {
      const here = new Map<string, ObjectLocation>();
      const put = (key: string, at: ObjectLocation) => {
        const had = here.get(key);
        if (!had || earlier(at, had)) here.set(key, at);
      };
      set.objects.forEach((object, i) => {
        const o = object as {
          kind?: unknown;
          metadata?: { namespace?: unknown; name?: unknown };
        };
        if (typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string')
          return;
        const ns =
          typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
        const at = set.locations[i];
        put(kindKey(o.kind, ns, o.metadata.name), at);
        if (!ns) put(kindKey(o.kind, 'default', o.metadata.name), at);
      });
      for (const [key, at] of here) this.index.set(key, at);
    }
  }

  private readonly sets: ManifestSet[];

  /** The location of an object, or undefined when no input holds it. */
  object(ref: ObjectRef): ObjectLocation | undefined {
    if (ref.name === UNNAMED && ref.namespace === '') return this.unnamed(ref);
    return (
      this.index.get(kindKey(ref.kind, ref.namespace, ref.name)) ??
      this.index.get(kindKey(ref.kind, '', ref.name))
    );
  }

  /**
   * An object `readObjects` could not read the metadata of (MS401 names it `(unnamed)`): the
   * earliest object of its kind that, read alone, is reported so. Asked only for such findings.
   */
  private unnamed(ref: ObjectRef): ObjectLocation | undefined {
    let found: ObjectLocation | undefined;
    for (const at of this.unnamedIn(ref.kind)) {
      if (!found || earlier(at, found)) found = at;
    }
    return found;
  }

  /**
   * The locations of `findings`, in their order. A finding about an object `readObjects` could
   * not read the metadata of is located at an object of its kind that, read alone, gets the
   * same message: the n-th such finding at the n-th such object in input order (the reader
   * reports them in that order, and sorting keeps the order of equal findings), so that three
   * files without a `kind` are three locations, not the first one three times.
   */
  findings(findings: Finding[]): Array<ObjectLocation | undefined> {
    const queues = new Map<string, ObjectLocation[]>();
    return findings.map(f => {
      const ref = f.object;
      if (ref.name !== UNNAMED || ref.namespace !== '') return this.object(ref);
      const key = `${ref.kind}\n${f.message}`;
      let queue = queues.get(key);
      if (!queue) {
        queue = this.unnamedIn(ref.kind, f.message);
        queues.set(key, queue);
      }
      // More such findings than objects cannot happen; the last object stays as a fallback.
      return (queue.length > 1 ? queue.shift() : queue[0]) ?? this.object(ref);
    });
  }

  /**
   * The objects of `kind` that, read alone, get an unnamed finding (saying `message`, when
   * given), in input order, from the first set that holds any.
   */
  private unnamedIn(kind: string, message?: string): ObjectLocation[] {
    for (const set of this.sets) {
      const found: ObjectLocation[] = [];
      set.objects.forEach((object, i) => {
        const own = (object as { kind?: unknown }).kind;
        if ((typeof own === 'string' ? own : 'Unknown') !== kind) return;
        const alone = readObjects([object]).findings;
        if (
          alone.some(
            f =>
              f.object.name === UNNAMED &&
              f.object.namespace === '' &&
              f.object.kind === kind &&
              (message === undefined || f.message === message),
          )
        )
          found.push(set.locations[i]);
      });
      if (found.length > 0) return found;
    }
    return [];
  }

  /** The location of the first `Kind namespace/name` named in a text (a policy, a reason). */
  named(text: string | undefined): ObjectLocation | undefined {
    if (!text) return undefined;
    for (const m of text.matchAll(
      /\b([A-Z][A-Za-z]+) ([a-z0-9][a-z0-9.-]*)\/([a-z0-9][a-z0-9.-]*)/g,
    )) {
      const at = this.object({ kind: m[1], namespace: m[2], name: m[3] });
      if (at) return at;
    }
    return undefined;
  }
}

const LEVELS: Record<Severity, Result.level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** The rules of changes (not findings): the gates of `--fail-on` they answer to. */
const CHANGE_RULES: ReportingDescriptor[] = [
  {
    id: 'widened-access',
    name: 'WidenedAccess',
    shortDescription: { text: 'A workload port gained callers' },
    fullDescription: {
      text: 'After the change, callers the state before did not allow may reach this port (or reach it with wider HTTP methods or paths).',
    },
    defaultConfiguration: { level: 'warning' },
  },
  {
    id: 'mtls-downgrade',
    name: 'MtlsDowngrade',
    shortDescription: { text: 'A workload port accepts weaker mTLS' },
    fullDescription: {
      text: 'After the change, the port accepts plaintext or no longer has a known mTLS mode (e.g. STRICT relaxed to PERMISSIVE).',
    },
    defaultConfiguration: { level: 'error' },
  },
];

const location = (at: ObjectLocation | undefined) =>
  at
    ? [
        {
          physicalLocation: {
            artifactLocation: { uri: encodeURI(at.file.split('\\').join('/')) },
            region: { startLine: at.line },
          },
        },
      ]
    : [];

function findingRule(code: string): ReportingDescriptor {
  const definition = findingDefinition(code);
  return {
    id: code,
    ...(definition
      ? {
          shortDescription: { text: definition.title },
          fullDescription: { text: definition.description },
          help: { text: definition.fix },
          defaultConfiguration: { level: LEVELS[definition.severity] },
        }
      : {}),
  };
}

function sarifLog(results: Result[], findings: Finding[]): Log {
  const codes = [...new Set(findings.map(f => f.code))].sort();
  const usedChangeRules = CHANGE_RULES.filter(r =>
    results.some(x => x.ruleId === r.id),
  );
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'mesh-security',
            rules: [...usedChangeRules, ...codes.map(findingRule)],
          },
        },
        results,
      },
    ],
  };
}

const findingResults = (
  findings: Finding[],
  locate: ObjectLocator,
): Result[] => {
  const at = locate.findings(findings);
  return findings.map((f, i) => ({
    ruleId: f.code,
    level: LEVELS[f.severity],
    message: { text: `${f.message} Fix: ${f.fix}` },
    locations: location(at[i]),
  }));
};

/** The SARIF log of `evaluate`: one result per finding. */
export function findingsSarif(findings: Finding[], locate: ObjectLocator): Log {
  return sarifLog(findingResults(findings, locate), findings);
}

/** The SARIF log of `diff`: callers gained, mTLS downgrades, and the findings introduced. */
export function diffSarif(impact: EstateImpact, locate: ObjectLocator): Log {
  const results: Result[] = [];
  for (const w of impact.workloads) {
    const workload = locate.object({
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
    });
    for (const p of w.ports) {
      if (p.added.length > 0)
        results.push({
          ruleId: 'widened-access',
          level: 'warning',
          message: {
            text: `${w.namespace}/${w.name} port ${
              p.port
            } gains callers: ${p.added.join(', ')}${
              p.addedBy.length ? ` (allowed by ${p.addedBy.join(', ')})` : ''
            }.`,
          },
          locations: location(
            p.addedBy.map(x => locate.named(x)).find(Boolean) ?? workload,
          ),
        });
      if (isMtlsDowngrade(p.mtls.before, p.mtls.after))
        results.push({
          ruleId: 'mtls-downgrade',
          level: 'error',
          message: {
            text: `${w.namespace}/${w.name} port ${p.port}: mTLS ${
              p.mtls.before
            } → ${p.mtls.after}${p.mtls.reason ? ` (${p.mtls.reason})` : ''}.`,
          },
          locations: location(locate.named(p.mtls.reason) ?? workload),
        });
    }
  }
  results.push(...findingResults(impact.introduced, locate));
  return sarifLog(results, impact.introduced);
}
