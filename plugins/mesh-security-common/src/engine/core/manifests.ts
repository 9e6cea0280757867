import {
  Composer,
  Document,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Node,
  Parser,
  visit,
} from 'yaml';
import { kubectlYamlTags } from './kubectlYaml';

/**
 * Bounds on one manifest text, so that a hostile file (millions of empty documents, of list
 * items or of tiny objects, deep nesting) is refused fast and with little memory instead of
 * blocking a process for minutes. See docs/backend.md "Manifest limits" and docs/cli.md.
 *
 * @public
 */
export interface ManifestLimits {
  /** Documents (`---`), empty ones included. */
  maxDocuments: number;
  /**
   * YAML nodes, counted while the text is scanned and before anything is built: each scalar,
   * alias and flow collection, and each sequence entry, explicit key and mapping value indicator
   * (`-`, `?`, `:`), so `a: 1` counts three.
   */
  maxNodes: number;
  /**
   * YAML nodes of one document, counted as for `maxNodes`. Parsing holds one document's whole
   * tree, about 0.6 KiB per node (1.4 KiB in flow style), so this bounds a parse's memory.
   */
  maxDocumentNodes: number;
  /** Nesting depth of the YAML parser (each collection and entry is one level). */
  maxDepth: number;
  /** Objects, once `List` kinds are flattened. */
  maxObjects: number;
}

/**
 * Default {@link ManifestLimits}. A 16 MiB file of ordinary manifests (the demo estate
 * repeated) holds about 1.6 million nodes at a nesting depth of 12.
 *
 * @public
 */
export const DEFAULT_MANIFEST_LIMITS: Readonly<ManifestLimits> = {
  maxDocuments: 50_000,
  maxNodes: 2_000_000,
  maxDocumentNodes: 250_000,
  maxDepth: 200,
  maxObjects: 50_000,
};

/**
 * Bounds on a set of manifest files read together: a `manifests` cluster of the backend, one
 * run of the CLI. The per-file limits are {@link ManifestLimits}; these bound the files and
 * their totals.
 *
 * @public
 */
export interface ManifestSetLimits {
  /** Files read. */
  maxFiles: number;
  /** Bytes of one file. */
  maxFileBytes: number;
  /** Bytes of all files together. */
  maxBytes: number;
  /** Documents of all files together. */
  maxDocuments: number;
  /** YAML nodes of all files together (see {@link ManifestLimits.maxNodes}). */
  maxNodes: number;
  /** Objects of all files together. */
  maxObjects: number;
}

/**
 * Default {@link ManifestSetLimits}.
 *
 * @public
 */
export const DEFAULT_MANIFEST_SET_LIMITS: Readonly<ManifestSetLimits> = {
  maxFiles: 10_000,
  maxFileBytes: 16 * 1024 * 1024,
  maxBytes: 256 * 1024 * 1024,
  maxDocuments: 500_000,
  maxNodes: 20_000_000,
  maxObjects: 200_000,
};

/**
 * The files that make a directory the source of a build rather than manifests: Helm requires
 * `Chart.yaml` (https://helm.sh/docs/topics/charts/#the-chart-file-structure); kustomize
 * recognises three names (`RecognizedKustomizationFileNames`, kustomize `api/konfig/general.go`).
 */
const BUILD_FILES: ReadonlyMap<string, 'helm' | 'kustomize'> = new Map([
  ['Chart.yaml', 'helm'],
  ['kustomization.yaml', 'kustomize'],
  ['kustomization.yml', 'kustomize'],
  ['Kustomization', 'kustomize'],
]);

/**
 * Which tool builds the directory holding a file of this name (`helm` for `Chart.yaml`,
 * `kustomize` for a kustomization file), else undefined. Such a directory's files are not what
 * a cluster holds: a chart's templates are Go templates (read as YAML they fail on a `{{ … }}`
 * line or yield objects no cluster holds), and a kustomization's namespace, name prefixes,
 * labels and patches are applied only by the build (its patch files, read as objects, replace
 * the objects they patch). Readers of manifest directories refuse them, by name.
 *
 * @public
 */
export function manifestBuildTool(
  fileName: string,
): 'helm' | 'kustomize' | undefined {
  return BUILD_FILES.get(fileName);
}

/**
 * A document that could not be parsed, or a text refused as a whole because it exceeds a
 * limit.
 *
 * @public
 */
export interface ManifestError {
  /** One line, naming the source and the document number or the limit. */
  message: string;
  /** The source name given to {@link parseManifests} (e.g. the file path); absent without one. */
  source?: string;
  /** 1-based document number within the text. */
  document?: number;
  /** The limit the text exceeds, and its value; the text is then not read at all. */
  limit?: { name: keyof ManifestLimits; value: number };
}

/**
 * What a manifest text holds, counted as in {@link ManifestLimits} (up to the limit exceeded,
 * when one is).
 *
 * @public
 */
export interface ManifestCounts {
  /** Documents, empty ones included. */
  documents: number;
  /** YAML nodes, counted as for {@link ManifestLimits.maxNodes}. */
  nodes: number;
  /** Objects, once `List` kinds are flattened. */
  objects: number;
}

/**
 * The objects found in a manifest text.
 *
 * @public
 */
export interface ParsedManifests {
  /**
   * The parsed objects, in document order, with `List` kinds flattened to their items; not
   * validated (pass them to {@link readObjects}). Empty when a limit is exceeded.
   */
  objects: unknown[];
  /**
   * The 1-based line where each object starts in the text, by index of `objects` (for a `List`,
   * the line of its item), so that a result can point at the YAML that causes it.
   */
  lines: number[];
  /** One error per document that could not be parsed, or the one limit exceeded; empty when all parsed. */
  errors: ManifestError[];
  /** What the text holds (what was counted before the limit, when one is exceeded). */
  counts: ManifestCounts;
}

const LIMIT_NOUNS: Record<keyof ManifestLimits, string> = {
  maxDocuments: 'documents',
  maxNodes: 'YAML nodes',
  maxDocumentNodes: 'YAML nodes in one document',
  maxDepth: 'levels of nesting',
  maxObjects: 'objects',
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `kind: List` and typed lists (`PodList`, …) as returned by `kubectl get -o yaml`, with the
 * offset in the text where each object starts (from the YAML node beside the value).
 */
function flatten(
  value: unknown,
  node: unknown,
  start: number,
  out: Array<{ object: unknown; offset: number }>,
): void {
  const offset = (n: unknown) => (n as Node | undefined)?.range?.[0] ?? start;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      const item = isSeq(node) ? node.items[i] : undefined;
      flatten(v, item, offset(item), out);
    });
    return;
  }
  if (!isObject(value)) return;
  if (
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    Array.isArray(value.items)
  ) {
    const items = isMap(node) ? node.get('items', true) : undefined;
    flatten(value.items, items, offset(items), out);
    return;
  }
  out.push({ object: value, offset: offset(node) });
}

/**
 * Whether a lexeme of `yaml`'s Lexer starts a node (see {@link ManifestLimits.maxNodes}).
 * `\x1f` precedes every plain and block scalar; quoted scalars and aliases are one lexeme.
 */
function startsNode(lexeme: string): boolean {
  switch (lexeme) {
    case '\x1f':
    case '-':
    case '?':
    case ':':
    case '{':
    case '[':
      return true;
    default: {
      const first = lexeme.charCodeAt(0);
      return first === 0x22 || first === 0x27 || first === 0x2a; // " ' *
    }
  }
}

/** Lexemes that neither start nor continue a document's content. */
function isSpaceOrComment(lexeme: string): boolean {
  const first = lexeme.charCodeAt(0); // NaN for the empty lexeme
  return (
    Number.isNaN(first) ||
    first === 0x20 || // space
    first === 0x09 || // tab
    first === 0x0a || // \n
    first === 0x0d || // \r
    first === 0x23 || // #
    first === 0xfeff // byte-order mark
  );
}

/**
 * Counts documents, nodes and flow nesting from the lexemes alone, stopping at the first limit
 * exceeded: nothing is built, so a bomb costs a fraction of one pass over its text
 * (docs/benchmarks.md "Refusing hostile manifests").
 */
function scan(
  text: string,
  limits: ManifestLimits,
): { exceeded?: keyof ManifestLimits; documents: number; nodes: number } {
  let documents = 0;
  let nodes = 0;
  let documentNodes = 0;
  let flowDepth = 0;
  // The Lexer emits `\x02` where a document may start (at the start and after `...`); a `---`
  // right after it starts that same document, any later `---` a new one.
  let fresh = false;
  for (const lexeme of new Lexer().lex(text)) {
    if (lexeme === '\x02' || (lexeme === '---' && !fresh)) {
      if (++documents > limits.maxDocuments)
        return { exceeded: 'maxDocuments', documents, nodes };
      fresh = lexeme === '\x02';
      documentNodes = 0;
      continue;
    }
    if (!isSpaceOrComment(lexeme)) fresh = false;
    if (startsNode(lexeme)) {
      if (++nodes > limits.maxNodes)
        return { exceeded: 'maxNodes', documents, nodes };
      if (++documentNodes > limits.maxDocumentNodes)
        return { exceeded: 'maxDocumentNodes', documents, nodes };
      if ((lexeme === '{' || lexeme === '[') && ++flowDepth > limits.maxDepth)
        return { exceeded: 'maxDepth', documents, nodes };
    } else if (lexeme === '}' || lexeme === ']') {
      flowDepth--;
    }
  }
  return { documents, nodes };
}

/** Names the key a DUPLICATE_KEY error at `offset` points at. */
function duplicateKeyReason(doc: Document.Parsed, offset: number): string {
  let key: string | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return `${
    key === undefined ? 'a key' : `key ${JSON.stringify(key)}`
  } is set twice in one map; kubectl apply refuses such a document`;
}

const firstLine = (error: unknown) =>
  String((error as Error)?.message ?? error).split('\n')[0];

/**
 * Parses Kubernetes manifests: YAML (multi-document) or JSON (JSON is valid YAML 1.2), with
 * `kind: List` flattened. Never throws: a document that does not parse becomes an error and the
 * other documents are still returned; a text exceeding one of the `limits` (default
 * {@link DEFAULT_MANIFEST_LIMITS}) returns no objects and one error naming the limit. Empty
 * documents are skipped.
 *
 * @public
 */
export function parseManifests(
  text: string,
  sourceName?: string,
  limits?: Partial<ManifestLimits>,
): ParsedManifests {
  const bounds: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...limits };
  const where = sourceName ? `${sourceName}: ` : '';
  const refuse = (
    name: keyof ManifestLimits,
    counts: ManifestCounts,
  ): ParsedManifests => ({
    objects: [],
    lines: [],
    errors: [
      {
        message: `${where}more than ${bounds[name]} ${LIMIT_NOUNS[name]}: not read`,
        source: sourceName,
        limit: { name, value: bounds[name] },
      },
    ],
    counts,
  });

  const scanned = scan(text, bounds);
  if (scanned.exceeded) {
    return refuse(scanned.exceeded, {
      documents: scanned.documents,
      nodes: scanned.nodes,
      objects: 0,
    });
  }

  // One document at a time through the parser and composer (what `parseAllDocuments` does
  // all at once), so that only the current document's tree is held.
  const found: Array<{ object: unknown; offset: number }> = [];
  const lineCounter = new LineCounter();
  // Parser.parse() registers the first line itself; next() (used here) does not.
  lineCounter.addNewLine(0);
  const errors: ManifestError[] = [];
  let documents = 0;
  let exceeded: keyof ManifestLimits | undefined;
  const read = (doc: Document.Parsed) => {
    documents++;
    if (documents > bounds.maxDocuments) {
      exceeded = 'maxDocuments';
      return;
    }
    const fail = (message: string) =>
      errors.push({
        message: `${where}document ${documents}: ${message}`,
        source: sourceName,
        document: documents,
      });
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const reason =
        error.code === 'DUPLICATE_KEY'
          ? duplicateKeyReason(doc, error.pos[0])
          : firstLine(error);
      fail(`line ${line}, column ${col}: ${reason}`);
      return;
    }
    const contents = doc.contents as Node | null;
    try {
      flatten(
        doc.toJS({ maxAliasCount: 100 }),
        contents,
        contents?.range?.[0] ?? 0,
        found,
      );
    } catch (error) {
      // e.g. an alias bomb: named at the line its document's content starts on.
      const { line } = lineCounter.linePos(contents?.range?.[0] ?? 0);
      fail(`line ${line}: ${firstLine(error)}`);
    }
    if (found.length > bounds.maxObjects) exceeded = 'maxObjects';
  };
  try {
    const parser = new Parser(lineCounter.addNewLine);
    // Read as kubectl reads it: `<<` merge keys apply (YAML 1.1; keys of the map itself win),
    // `yes`/`no`/`on`/`off` are booleans (YAML 1.1), and a key given twice in one map makes the
    // document an error: `kubectl apply` refuses it (its default `--validate=strict`), so its
    // last value is not what the cluster holds.
    // No warnings printed: the library's (e.g. for a map key that is itself a map, as
    // `name: {{ .Values.name }}` reads) go to the process's stderr, addressed to a developer
    // ("Set mapAsMap: true"), in a CLI's output or a backend's log; such an object is reported
    // as malformed like any other.
    const composer = new Composer({
      merge: true,
      uniqueKeys: true,
      customTags: kubectlYamlTags,
      logLevel: 'error',
    });
    for (const lexeme of new Lexer().lex(text)) {
      for (const token of parser.next(lexeme)) {
        for (const doc of composer.next(token)) read(doc);
      }
      if (parser.stack.length > bounds.maxDepth) exceeded ??= 'maxDepth';
      if (exceeded) break;
    }
    if (!exceeded) {
      for (const token of parser.end()) {
        for (const doc of composer.next(token)) read(doc);
      }
      for (const doc of composer.end()) read(doc);
    }
  } catch (error) {
    return {
      objects: [],
      lines: [],
      errors: [
        {
          message: `${where}cannot parse: ${firstLine(error)}`,
          source: sourceName,
        },
      ],
      counts: { documents, nodes: scanned.nodes, objects: 0 },
    };
  }
  const counts = { documents, nodes: scanned.nodes, objects: found.length };
  if (exceeded) return refuse(exceeded, counts);
  return {
    objects: found.map(f => f.object),
    lines: found.map(f => lineCounter.linePos(f.offset).line),
    errors,
    counts,
  };
}
