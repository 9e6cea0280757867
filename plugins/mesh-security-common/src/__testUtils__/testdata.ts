import fs from 'node:fs';
import path from 'node:path';

/*
 * Node-only helpers (tests only, never exported from the package): where the repository's test
 * data is. Tests read only files inside the repository; a missing file fails the test.
 */

/** The repository root (…/plugins/mesh-security-common/src/__testUtils__ → root). */
export const repoRoot = path.resolve(__dirname, '../../../..');

/**
 * The upstream Istio and Linkerd CRDs and Istio's validation fixtures, kept as test data with
 * their provenance and licence in `testdata/crds/README.md`.
 */
export const crdsDir = path.resolve(__dirname, '../../testdata/crds');

/** The demo estate's manifests (catalog/demo-cluster). */
export const demoClusterDir = path.join(repoRoot, 'catalog/demo-cluster');

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
