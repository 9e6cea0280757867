import fs from 'node:fs';
import path from 'node:path';

/*
 * Node-only helpers (tests only, never exported from the package): where the repository and
 * the shared upstream CRDs are. Users' clones do not have `../shared/crds`; CI does.
 */

/** The repository root (…/plugins/mesh-security-common/src/__testUtils__ → root). */
export const repoRoot = path.resolve(__dirname, '../../../..');

/** `../shared/crds` beside the checkout, or undefined when absent. */
export function sharedCrdsDir(): string | undefined {
  const dir = path.resolve(repoRoot, '../shared/crds');
  return fs.existsSync(path.join(dir, 'istio-crd-all.gen.yaml'))
    ? dir
    : undefined;
}

/** The demo estate's manifests directory, when a colleague's demo exists. */
export function demoClusterDir(): string | undefined {
  const dir = path.resolve(repoRoot, 'catalog/demo-cluster');
  return fs.existsSync(dir) ? dir : undefined;
}

/** Every YAML/JSON file under a directory, recursively, sorted. */
export function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export const readText = (file: string) => fs.readFileSync(file, 'utf8');

/** Title suffix explaining a skip when the shared CRDs are absent. */
export const SHARED_CRDS_SKIP_NOTE =
  '(skipped: ../shared/crds not found beside the checkout; CI has it)';
