import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_MANIFEST_LIMITS,
  DEFAULT_MANIFEST_SET_LIMITS,
  ManifestLimits,
  parseManifests,
} from '@mesh-security/plugin-mesh-security-common';
import { displayName } from './format/escape';

/** Bad command-line input: printed as one line on stderr, exit status 2. */
export class InputError extends Error {
  readonly name = 'InputError';
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Byte limits of one run, raised with `--max-file-bytes` and `--max-total-bytes`. */
export interface ByteLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
}

/** Reads `--max-file-bytes` / `--max-total-bytes` (decimal integers); defaults from common. */
export function readByteLimits(options: {
  maxFileBytes?: string;
  maxTotalBytes?: string;
}): ByteLimits {
  const bytes = (flag: string, value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (!/^[1-9][0-9]{0,15}$/.test(value)) {
      throw new InputError(
        `${flag} must be a number of bytes (a positive decimal integer), not ${displayName(
          value,
        )}`,
      );
    }
    return Number(value);
  };
  return {
    maxFileBytes: bytes(
      '--max-file-bytes',
      options.maxFileBytes,
      DEFAULT_MANIFEST_SET_LIMITS.maxFileBytes,
    ),
    maxTotalBytes: bytes(
      '--max-total-bytes',
      options.maxTotalBytes,
      DEFAULT_MANIFEST_SET_LIMITS.maxBytes,
    ),
  };
}

const errorCode = (error: unknown) =>
  (error as NodeJS.ErrnoException)?.code ?? 'error';

/**
 * Lists manifest files: files as given, directories recursively (sorted, deterministic; only
 * regular files, symbolic links are not followed), at most `maxFiles` of them.
 */
export function listManifestFiles(inputs: string[]): string[] {
  if (inputs.length === 0)
    throw new InputError(
      'no input: give at least one manifest file or directory',
    );
  const { maxFiles } = DEFAULT_MANIFEST_SET_LIMITS;
  const out: string[] = [];
  const add = (file: string) => {
    if (out.length === maxFiles) {
      throw new InputError(
        `more than ${maxFiles} manifest files: give fewer inputs`,
      );
    }
    out.push(file);
  };
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      throw new InputError(
        `cannot read directory ${displayName(dir)}: ${errorCode(error)}`,
      );
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && MANIFEST_FILE.test(e.name)) add(full);
    }
  };
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (error) {
      throw new InputError(
        errorCode(error) === 'ENOENT'
          ? `cannot read ${displayName(input)}: no such file or directory`
          : `cannot read ${displayName(input)}: ${errorCode(error)}`,
      );
    }
    if (stat.isDirectory()) walk(input);
    // Checked again on the open file; refused here before anything is opened.
    else if (!stat.isFile())
      throw new InputError(
        `cannot read ${displayName(input)}: not a regular file`,
      );
    else add(input);
  }
  return out;
}

/**
 * Reads a regular file of at most `maxBytes`. Opened non-blocking and checked on the open
 * descriptor, so a FIFO or a device swapped in after listing is refused, not waited on or read
 * without end.
 */
function readRegularFile(
  file: string,
  maxBytes: number,
  tooLarge: () => InputError,
): Buffer {
  const name = displayName(file);
  let fd: number;
  try {
    // eslint-disable-next-line no-bitwise
    fd = fs.openSync(
      file,
      fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0),
    );
  } catch (error) {
    throw new InputError(`cannot read ${name}: ${errorCode(error)}`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new InputError(`cannot read ${name}: not a regular file`);
    }
    if (stat.size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1 - total));
      const read = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      // The file grew after fstat.
      if (total > maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read ${name}: ${errorCode(error)}`);
  } finally {
    fs.closeSync(fd);
  }
}

/** Limits the inputs of one run share with each other (docs/cli.md "Input limits"). */
type RunLimit = 'maxDocuments' | 'maxNodes' | 'maxObjects';
const RUN_LIMITS: RunLimit[] = ['maxDocuments', 'maxNodes', 'maxObjects'];
const RUN_NOUNS: Record<RunLimit, string> = {
  maxDocuments: 'documents',
  maxNodes: 'YAML nodes',
  maxObjects: 'objects',
};

/**
 * Reads and parses every manifest; a file that cannot be read, a document that does not parse
 * and any input over a limit is bad input (nothing is evaluated from partial input).
 */
export function readManifests(
  inputs: string[],
  bytes: ByteLimits = readByteLimits({}),
): unknown[] {
  const objects: unknown[] = [];
  const used: Record<RunLimit, number> & { bytes: number } = {
    bytes: 0,
    maxDocuments: 0,
    maxNodes: 0,
    maxObjects: 0,
  };
  for (const file of listManifestFiles(inputs)) {
    const name = displayName(file);
    const data = readRegularFile(
      file,
      bytes.maxFileBytes,
      () =>
        new InputError(
          `${name}: larger than ${bytes.maxFileBytes} bytes (raise with --max-file-bytes)`,
        ),
    );
    used.bytes += data.length;
    if (used.bytes > bytes.maxTotalBytes) {
      throw new InputError(
        `${name}: the inputs exceed ${bytes.maxTotalBytes} bytes (raise with --max-total-bytes)`,
      );
    }
    // Each file's limits, lowered to what is left of the run's.
    const limits: ManifestLimits = { ...DEFAULT_MANIFEST_LIMITS };
    for (const limit of RUN_LIMITS) {
      limits[limit] = Math.min(
        limits[limit],
        DEFAULT_MANIFEST_SET_LIMITS[limit] - used[limit],
      );
    }
    const parsed = parseManifests(data.toString('utf8'), name, limits);
    const exceeded = parsed.errors[0]?.limit;
    if (
      exceeded &&
      (RUN_LIMITS as string[]).includes(exceeded.name) &&
      exceeded.value < DEFAULT_MANIFEST_LIMITS[exceeded.name]
    ) {
      const limit = exceeded.name as RunLimit;
      throw new InputError(
        `${name}: the inputs hold more than ${DEFAULT_MANIFEST_SET_LIMITS[limit]} ${RUN_NOUNS[limit]}`,
      );
    }
    if (parsed.errors.length > 0)
      throw new InputError(parsed.errors[0].message);
    used.maxDocuments += parsed.counts.documents;
    used.maxNodes += parsed.counts.nodes;
    used.maxObjects += parsed.counts.objects;
    for (const object of parsed.objects) objects.push(object);
  }
  return objects;
}
