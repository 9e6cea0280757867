import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_MANIFEST_LIMITS,
  DEFAULT_MANIFEST_SET_LIMITS,
  ManifestLimits,
  ParsedManifests,
  manifestBuildTool,
  parseManifests,
} from '@mesh-security/plugin-mesh-security-common';
import { displayName } from './format/escape';

/** Bad command-line input: printed as one line on stderr, exit status 2. */
export class InputError extends Error {
  readonly name = 'InputError';
}

/** The files read as manifests, on disk and in a git revision. */
export const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/**
 * Refuses a directory holding `file` when that file makes it a Helm chart or a kustomization
 * (`manifestBuildTool`). Leaving such a directory out instead would evaluate the inputs without
 * what it builds: a gate that passes because it did not look.
 */
export function refuseUnbuilt(dir: string, file: string, where = ''): void {
  const tool = manifestBuildTool(file);
  if (!tool) return;
  const name = displayName(dir);
  throw new InputError(
    tool === 'helm'
      ? `${where}${name} is a Helm chart (it holds ${file}): its templates are not manifests until rendered. Give the rendered manifests instead (helm template ${name}), or leave the chart out of the inputs`
      : `${where}${name} is a kustomization (it holds ${file}): its files are not manifests until built (patches, namespace, prefixes and labels applied). Give the built manifests instead (kubectl kustomize ${name}), or leave it out of the inputs`,
  );
}

/** Reads standard input, at most `maxBytes` (more: `tooLarge`). */
export type StdinReader = (
  maxBytes: number,
  tooLarge: () => InputError,
) => Buffer;

/** The input `-`: manifests on standard input (e.g. `kubectl kustomize … |`). */
export const STDIN = '-';

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
    // Name order as kubectl walks a directory (byte order, not the locale's: `B.yaml` before
    // `a.yaml`), so that of an object defined twice the definition kubectl applies last wins.
    entries.sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
    for (const e of entries) if (e.isFile()) refuseUnbuilt(dir, e.name);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && MANIFEST_FILE.test(e.name)) add(full);
    }
  };
  let piped = false;
  for (const input of inputs) {
    if (input === STDIN) {
      // Standard input is read once: a second `-` would read nothing.
      if (piped) throw new InputError('- (standard input) is given twice');
      piped = true;
      add(input);
      continue;
    }
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

/** One manifest text to read: its name (a path, `ref:path` or `stdin`) and its bytes. */
export interface ManifestText {
  /** The name results are located at (a path relative to the repository for a git ref). */
  name: string;
  /** Reads the bytes, bounded by `maxBytes`. */
  read: (maxBytes: number, tooLarge: () => InputError) => Buffer;
}

/** Where an object was read: its text's name and the 1-based line it starts on. */
export interface ObjectLocation {
  file: string;
  line: number;
}

/** The objects of one state, and the location of each (by index). */
export interface ManifestSet {
  objects: unknown[];
  locations: ObjectLocation[];
}

/**
 * The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629 §4), or -1.
 * Overlong forms, surrogates and code points above U+10FFFF are ill-formed.
 */
function firstInvalidUtf8(data: Buffer): number {
  let i = 0;
  while (i < data.length) {
    const b = data[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    if (b === 0xe0) min = 0xa0;
    else if (b === 0xed) max = 0x9f;
    else if (b === 0xf0) min = 0x90;
    else if (b === 0xf4) max = 0x8f;
    for (let k = 1; k <= need; k++) {
      const c = data[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1;
}

const lineAt = (data: Buffer, offset: number) => {
  let line = 1;
  for (let i = 0; i < offset; i++) if (data[i] === 0x0a) line++;
  return line;
};

/**
 * For a text that does not parse and holds `{{` (outside a limit's refusal): it is most likely
 * a template (Helm, or any Go or Jinja template) given as a manifest, and the parser's message
 * alone ("Block collections are not allowed within flow collections") does not say so.
 */
function templateHint(data: Buffer, limit: unknown): string {
  const at = limit ? -1 : data.indexOf('{{');
  if (at < 0) return '';
  return ` (it looks like a template: "{{" at line ${lineAt(
    data,
    at,
  )}; give the rendered manifests instead)`;
}

/**
 * The manifest files of the inputs on disk (see {@link listManifestFiles}), and standard input
 * where one of them is `-` (with `stdin`; named `stdin`).
 */
export function fileTexts(
  inputs: string[],
  stdin?: StdinReader,
): ManifestText[] {
  return listManifestFiles(inputs).map(file =>
    file === STDIN
      ? {
          name: 'stdin',
          read: (maxBytes, tooLarge) => {
            if (!stdin)
              throw new InputError('- (standard input) is not read here');
            return stdin(maxBytes, tooLarge);
          },
        }
      : {
          name: file,
          read: (maxBytes, tooLarge) =>
            readRegularFile(file, maxBytes, tooLarge),
        },
  );
}

/** What parsing one text found, by the SHA-256 of its bytes. */
type ParsedText = Pick<ParsedManifests, 'objects' | 'lines' | 'counts'>;

/**
 * Texts already parsed, by the SHA-256 of their bytes: `diff` reads both states through one,
 * so that a file the change left alone is parsed once (its objects are shared by both states,
 * read-only). A text is taken from here only when its counts are within the limits it would be
 * parsed with, so a cached text is read exactly as a fresh parse would read it.
 */
export class ParseCache {
  private readonly parsed = new Map<string, ParsedText>();

  get(key: string, limits: ManifestLimits): ParsedText | undefined {
    const hit = this.parsed.get(key);
    if (
      hit &&
      hit.counts.documents <= limits.maxDocuments &&
      hit.counts.nodes <= limits.maxNodes &&
      hit.counts.objects <= limits.maxObjects
    )
      return hit;
    return undefined;
  }

  set(key: string, parsed: ParsedText): void {
    this.parsed.set(key, parsed);
  }
}

/**
 * Reads and parses every manifest text; a text that cannot be read, is not UTF-8, holds a
 * document that does not parse or is over a limit is bad input (nothing is evaluated from
 * partial input). With a `cache`, a text of the same bytes as one parsed before is not parsed
 * again.
 */
export function readManifestSet(
  texts: ManifestText[],
  bytes: ByteLimits = readByteLimits({}),
  cache?: ParseCache,
): ManifestSet {
  const objects: unknown[] = [];
  const locations: ObjectLocation[] = [];
  const used: Record<RunLimit, number> & { bytes: number } = {
    bytes: 0,
    maxDocuments: 0,
    maxNodes: 0,
    maxObjects: 0,
  };
  for (const text of texts) {
    const name = displayName(text.name);
    const data = text.read(
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
    const invalid = firstInvalidUtf8(data);
    if (invalid >= 0) {
      throw new InputError(
        `${name}: line ${lineAt(
          data,
          invalid,
        )}: not UTF-8 text (byte ${invalid})`,
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
    const key = cache
      ? createHash('sha256').update(data).digest('hex')
      : undefined;
    const cached = key ? cache?.get(key, limits) : undefined;
    if (cached) {
      used.maxDocuments += cached.counts.documents;
      used.maxNodes += cached.counts.nodes;
      used.maxObjects += cached.counts.objects;
      cached.objects.forEach((object, i) => {
        objects.push(object);
        locations.push({ file: text.name, line: cached.lines[i] });
      });
      continue;
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
      throw new InputError(
        parsed.errors[0].message + templateHint(data, parsed.errors[0].limit),
      );
    if (key) cache?.set(key, parsed);
    used.maxDocuments += parsed.counts.documents;
    used.maxNodes += parsed.counts.nodes;
    used.maxObjects += parsed.counts.objects;
    parsed.objects.forEach((object, i) => {
      objects.push(object);
      locations.push({ file: text.name, line: parsed.lines[i] });
    });
  }
  return { objects, locations };
}

/**
 * Reads and parses the manifest files of the inputs on disk and standard input (see
 * {@link readManifestSet}) for `evaluate` and `check`. Inputs that hold no object at all are
 * bad input, as `kubectl apply` refuses them ("no objects passed to apply"): an empty directory,
 * or a build that failed in a pipeline (`kubectl kustomize … | mesh-security evaluate -` without
 * `pipefail`) would otherwise evaluate to no findings and pass.
 */
export function readManifests(
  inputs: string[],
  bytes: ByteLimits = readByteLimits({}),
  stdin?: StdinReader,
): ManifestSet {
  const set = readManifestSet(fileTexts(inputs, stdin), bytes);
  if (set.objects.length === 0) {
    // The inputs named, at most three (a shell glob can give thousands).
    const named = inputs
      .slice(0, 3)
      .map(i => (i === STDIN ? 'standard input' : displayName(i)));
    if (inputs.length > 3) named.push(`${inputs.length - 3} more`);
    throw new InputError(
      `no objects in ${named.join(
        ', ',
      )}: nothing to evaluate (kubectl apply refuses it too: "no objects passed to apply")`,
    );
  }
  return set;
}
