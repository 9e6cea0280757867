import { InputError } from '@backstage/errors';
import { kubectlYamlTags } from '@mesh-security/plugin-mesh-security-common';
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Scalar,
  visit,
  YAMLMap,
  YAMLSeq,
} from 'yaml';

/*
 * A policy file as a list of YAML documents edited in place with `yaml`'s Document API, so that
 * comments, key order and flow/block styles of everything we do not touch survive byte for byte.
 */

/** Options that reproduce the common `kubectl`/hand-written style (`["a"]`, no line folding). */
const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

/**
 * Parses a (possibly empty) multi-document policy file; malformed YAML is an input error, and so
 * is an alias (`*name`) or merge key (`<<`): a node an alias shares is in several places at once,
 * so an edit meant for one rule would change the others that use it.
 */
export function parsePolicyFile(text: string, path: string): Document[] {
  const lines = new LineCounter();
  // Read as kubectl reads it (`yes`/`no`/`on`/`off` are booleans), which also makes every
  // string the action writes that kubectl would read as a boolean come out quoted (`"no"`).
  const docs = parseAllDocuments(text, {
    uniqueKeys: true,
    lineCounter: lines,
    customTags: kubectlYamlTags,
  });
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      throw new InputError(
        `${path} is not valid YAML (${
          doc.errors[0].message.split('\n')[0]
        }); fix the file before requesting a change`,
      );
    }
    const shared = sharedNode(doc);
    if (shared) {
      throw new InputError(
        `${path}, line ${lines.linePos(shared.offset).line}, uses ${
          shared.what
        }: the action edits plain YAML only, since an edit of a shared node would also change ` +
          'every place that uses it. Expand the aliases and merge keys in the file, or make this change by hand',
      );
    }
  }
  const kept = docs.filter(d => d.contents !== null);
  const twice = definedTwice(kept);
  if (twice) {
    const [first, second] = twice.docs.map(
      d => lines.linePos(d.contents?.range?.[0] ?? 0).line,
    );
    throw new InputError(
      `${path} defines ${twice.what} twice (lines ${first} and ${second}): kubectl apply keeps ` +
        'the last definition only, so an edit of the other would change nothing. Keep one ' +
        'definition of the object, or make this change by hand',
    );
  }
  return kept;
}

/** The first object a file defines twice (same API group, kind, namespace and name), if any. */
function definedTwice(
  docs: Document[],
): { what: string; docs: [Document, Document] } | undefined {
  const seen = new Map<string, Document>();
  for (const doc of docs) {
    const id = objectId(doc);
    if (!id.kind || !id.name) continue;
    const group = id.apiVersion.includes('/')
      ? id.apiVersion.slice(0, id.apiVersion.lastIndexOf('/'))
      : '';
    const key = `${group}/${id.kind}/${id.namespace ?? ''}/${id.name}`;
    const before = seen.get(key);
    if (before)
      return {
        what: `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`,
        docs: [before, doc],
      };
    seen.set(key, doc);
  }
  return undefined;
}

/** The first alias or merge key of a document, if any. */
function sharedNode(
  doc: Document,
): { what: string; offset: number } | undefined {
  let found: { what: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, node) {
      found = {
        what: `a YAML alias (*${node.source})`,
        offset: node.range?.[0] ?? 0,
      };
      return visit.BREAK;
    },
    Pair(_, pair) {
      if (
        isScalar(pair.key) &&
        pair.key.value === '<<' &&
        pair.key.type === Scalar.PLAIN
      ) {
        found = {
          what: 'a YAML merge key (<<)',
          offset: pair.key.range?.[0] ?? 0,
        };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

const BOM = '\uFEFF';

/**
 * `text` written the way `original` was: its byte order mark kept, and CRLF line endings when most
 * of its lines ended so (`yaml` reads either and writes LF), so that a pull request on a file
 * edited on Windows changes the lines the action edits, not every line of the file.
 */
export function inStyleOf(original: string, text: string): string {
  const crlf = original.match(/\r\n/g)?.length ?? 0;
  const lines = original.match(/\n/g)?.length ?? 0;
  let out = crlf * 2 > lines ? text.replace(/\r?\n/g, '\r\n') : text;
  if (original.startsWith(BOM) && !out.startsWith(BOM)) out = BOM + out;
  return out;
}

/** Serialises the documents; a file of one document keeps its original shape. */
export function stringifyPolicyFile(docs: Document[]): string {
  return docs
    .map((doc, i) => {
      if (i > 0 && doc.directives) doc.directives.docStart = true;
      return doc.toString(TO_STRING);
    })
    .join('');
}

/** Identity of a document's object. */
export interface ObjectId {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Reads apiVersion/kind/namespace/name of a document (empty strings when absent). */
export function objectId(doc: Document): ObjectId {
  const str = (path: string[]) => {
    const v = doc.getIn(path);
    return typeof v === 'string' ? v : undefined;
  };
  return {
    apiVersion: str(['apiVersion']) ?? '',
    kind: str(['kind']) ?? '',
    namespace: str(['metadata', 'namespace']),
    name: str(['metadata', 'name']) ?? '',
  };
}

/** Documents of a kind in an API group, in a namespace (a missing namespace counts as that one). */
export function docsOfKind(
  docs: Document[],
  group: string,
  kind: string,
  namespace: string,
): Document[] {
  return docs.filter(d => {
    const id = objectId(d);
    return (
      id.kind === kind &&
      id.apiVersion.startsWith(`${group}/`) &&
      (id.namespace ?? namespace) === namespace
    );
  });
}

/** The plain value of a node path. */
export function plain(doc: Document, path: Array<string | number>): unknown {
  const node = doc.getIn(path, true);
  if (node && typeof node === 'object' && 'toJSON' in node)
    return (node as { toJSON(): unknown }).toJSON();
  return node;
}

/** Whether `matchLabels` (every key equal) selects the labels; no selector never matches here. */
export function matchLabelsSelect(
  matchLabels: unknown,
  labels: Record<string, string>,
): boolean {
  if (!matchLabels || typeof matchLabels !== 'object') return false;
  const entries = Object.entries(matchLabels as Record<string, unknown>);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** A flow sequence of scalars (`["a", "b"]`), the style of hand-written policies. */
export function flowSeq(_doc: Document, values: string[]): YAMLSeq {
  const seq = new YAMLSeq();
  seq.flow = true;
  for (const v of values) seq.add(quoted(v));
  return seq;
}

/** A double-quoted string scalar (`"cluster.local/ns/a/sa/b"`), as in hand-written policies. */
export function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/** A map node at the path, or undefined. */
export function mapAt(
  doc: Document,
  path: Array<string | number>,
): YAMLMap | undefined {
  const n = doc.getIn(path, true);
  return isMap(n) ? n : undefined;
}

/** A sequence node at the path, or undefined. */
export function seqAt(
  doc: Document | YAMLMap,
  path: Array<string | number>,
): YAMLSeq | undefined {
  const n = doc.getIn(path, true);
  return isSeq(n) ? n : undefined;
}

/** Scalar values of a sequence node as strings. */
export function seqStrings(seq: YAMLSeq | undefined): string[] {
  if (!seq) return [];
  return seq.items.map(i =>
    String(
      i && typeof i === 'object' && 'value' in i
        ? (i as { value: unknown }).value
        : i,
    ),
  );
}

/**
 * A new document for an object, with a comment above it, separated by `---`. The comment sits on
 * the object (after `---`), as in hand-written files: a document-level comment would be printed
 * before the `---` and read back as the previous document's.
 */
export function newObjectDocument(
  value: Record<string, unknown>,
  comment?: string,
): Document {
  const doc = new Document(value, { customTags: kubectlYamlTags });
  if (comment && doc.contents) doc.contents.commentBefore = ` ${comment}`;
  return doc;
}

/** A name for a new object that is free among the documents of that kind. */
export function freeName(docs: Document[], kind: string, base: string): string {
  const taken = new Set(
    docs.filter(d => objectId(d).kind === kind).map(d => objectId(d).name),
  );
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
