import { parseManifests } from '@mesh-security/plugin-mesh-security-common';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ClusterSource,
  ClusterUnreachableError,
  KindStatus,
  SourceRead,
} from './ClusterSource';
import { trimObject } from './trim';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * A cluster read from Kubernetes manifests on disk (YAML or JSON, multi-document, `kind: List`,
 * directories read recursively) — the demo estate, or a GitOps checkout. Files that do not
 * parse are reported as a kind status `error` naming the file; the rest is still read.
 */
export class ManifestsSource implements ClusterSource {
  readonly type = 'manifests' as const;

  constructor(readonly name: string, private readonly root: string) {}

  async read(): Promise<SourceRead> {
    let files: string[];
    try {
      files = await listManifestFiles(this.root);
    } catch (error) {
      throw new ClusterUnreachableError(
        `cannot read manifests for cluster ${this.name} at ${this.root}: ${
          (error as NodeJS.ErrnoException).code ?? 'error'
        }`,
      );
    }
    const objects: unknown[] = [];
    const kinds: KindStatus[] = [];
    const counts = new Map<string, number>();
    for (const file of files) {
      const relative = path.relative(this.root, file) || path.basename(file);
      const stat = await fs.stat(file);
      if (stat.size > MAX_FILE_BYTES) {
        kinds.push({
          key: `file:${relative}`,
          state: 'error',
          count: 0,
          message: `${relative} is larger than ${MAX_FILE_BYTES} bytes and was skipped`,
        });
        continue;
      }
      const text = await fs.readFile(file, 'utf8');
      const parsed = parseManifests(text, relative);
      for (const object of parsed.objects) {
        const trimmed = trimObject(object) as { kind?: unknown };
        objects.push(trimmed);
        const kind =
          typeof trimmed?.kind === 'string' ? trimmed.kind : 'unknown';
        counts.set(kind, (counts.get(kind) ?? 0) + 1);
      }
      for (const error of parsed.errors) {
        kinds.push({
          key: `file:${relative}`,
          state: 'error',
          count: 0,
          message: error.message,
        });
      }
    }
    for (const [kind, count] of [...counts].sort()) {
      kinds.push({ key: kind, state: 'ok', count });
    }
    return { objects, kinds, requests: 0 };
  }
}

async function listManifestFiles(root: string): Promise<string[]> {
  const stat = await fs.stat(root);
  if (stat.isFile()) return [root];
  const out: string[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) out.push(full);
    }
  };
  await walk(root);
  return out;
}
