/*
 * Reads a manifests cluster twice and prints what each read returned, as JSON: run by
 * ManifestsSource.hostile.test.ts in a child process whose heap is small and which is killed
 * after a timeout, so that memory and time are bounded by the process, not measured.
 *
 *   node --max-old-space-size=<MiB> -r @backstage/cli/config/nodeTransform.cjs \
 *     readManifestsCluster.ts <directory> [settings as JSON]
 */
import { ManifestsSource } from '../sources/ManifestsSource';

async function main([root, settings]: string[]) {
  const source = new ManifestsSource(
    'hostile',
    root,
    settings ? JSON.parse(settings) : {},
  );
  const reads = [];
  for (let i = 0; i < 2; i++) reads.push(await source.read());
  process.stdout.write(JSON.stringify(reads));
}

main(process.argv.slice(2)).catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
