import { parseAllDocuments } from 'yaml';

/**
 * A document that could not be parsed.
 *
 * @public
 */
export interface ManifestError {
  /** One line, naming the source and the document number. */
  message: string;
  /** The source name given to {@link parseManifests} (e.g. the file path); absent without one. */
  source?: string;
  /** 1-based document number within the text. */
  document?: number;
}

/**
 * The objects found in a manifest text.
 *
 * @public
 */
export interface ParsedManifests {
  /**
   * The parsed objects, in document order, with `List` kinds flattened to their items; not
   * validated (pass them to {@link readObjects}).
   */
  objects: unknown[];
  /** One error per document that could not be parsed; empty when all parsed. */
  errors: ManifestError[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `kind: List` and typed lists (`PodList`, …) as returned by `kubectl get -o yaml`. */
function flatten(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) flatten(v, out);
    return;
  }
  if (!isObject(value)) return;
  if (
    typeof value.kind === 'string' &&
    value.kind.endsWith('List') &&
    Array.isArray(value.items)
  ) {
    for (const item of value.items) flatten(item, out);
    return;
  }
  out.push(value);
}

/**
 * Parses Kubernetes manifests: YAML (multi-document) or JSON (JSON is valid YAML 1.2), with
 * `kind: List` flattened. Never throws: a document that does not parse becomes an error and the
 * other documents are still returned. Empty documents are skipped.
 *
 * @public
 */
export function parseManifests(
  text: string,
  sourceName?: string,
): ParsedManifests {
  const objects: unknown[] = [];
  const errors: ManifestError[] = [];
  const where = sourceName ? `${sourceName}: ` : '';
  let docs;
  try {
    docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false });
  } catch (error) {
    return {
      objects,
      errors: [
        {
          message: `${where}cannot parse: ${
            String((error as Error).message).split('\n')[0]
          }`,
          source: sourceName,
        },
      ],
    };
  }
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    if (doc.errors.length > 0) {
      const first = String(doc.errors[0].message).split('\n')[0];
      errors.push({
        message: `${where}document ${i + 1}: ${first}`,
        source: sourceName,
        document: i + 1,
      });
      return;
    }
    try {
      flatten(doc.toJS({ maxAliasCount: 100 }), objects);
    } catch (error) {
      const first = String((error as Error).message).split('\n')[0];
      errors.push({
        message: `${where}document ${i + 1}: ${first}`,
        source: sourceName,
        document: i + 1,
      });
    }
  });
  return { objects, errors };
}
