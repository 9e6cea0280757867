import fs from 'node:fs';
import path from 'node:path';
import { parseManifests } from '@mesh-security/plugin-mesh-security-common';

/** Bad command-line input: printed as one line on stderr, exit status 2. */
export class InputError extends Error {
  readonly name = 'InputError';
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Lists manifest files: files as given, directories recursively (sorted, deterministic). */
export function listManifestFiles(inputs: string[]): string[] {
  if (inputs.length === 0)
    throw new InputError(
      'no input: give at least one manifest file or directory',
    );
  const out: string[] = [];
  const walk = (dir: string) => {
    const entries = fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && MANIFEST_FILE.test(e.name)) out.push(full);
    }
  };
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      throw new InputError(`cannot read ${input}: no such file or directory`);
    }
    if (stat.isDirectory()) walk(input);
    else out.push(input);
  }
  return out;
}

/** Reads and parses every manifest; a document that does not parse is bad input. */
export function readManifests(inputs: string[]): unknown[] {
  const objects: unknown[] = [];
  for (const file of listManifestFiles(inputs)) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError(
        `cannot read ${file}: ${
          (error as NodeJS.ErrnoException).code ?? 'error'
        }`,
      );
    }
    const parsed = parseManifests(text, file);
    if (parsed.errors.length > 0)
      throw new InputError(parsed.errors[0].message);
    objects.push(...parsed.objects);
  }
  return objects;
}
