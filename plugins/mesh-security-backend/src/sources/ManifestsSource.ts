import {
  DEFAULT_MANIFEST_LIMITS,
  DEFAULT_MANIFEST_SET_LIMITS,
  escapeControlCharacters,
  ManifestLimits,
  ManifestSetLimits,
  manifestBuildTool,
} from '@mesh-security/plugin-mesh-security-common';
import { createHash } from 'node:crypto';
import { constants as fsConstants, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ClusterSource,
  ClusterUnreachableError,
  KindStatus,
  SourceRead,
} from './ClusterSource';
import { DemoTrustRoot, demoTrustRootsReissuer } from './demoTrustRoots';
import { ManifestWorker, ParsedFile, WorkerFailure } from './manifestWorker';

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** How a manifests cluster is read (docs/backend.md "Manifest limits"). */
export interface ManifestsSettings {
  /** Limits of one file. */
  file: ManifestLimits;
  /** Limits of all the files of one cluster. */
  cluster: ManifestSetLimits;
  /** Old-generation heap of the worker thread that parses files, in MiB. */
  parserHeapMb: number;
  /** Wall-clock time one file may take to parse, worker start included. */
  parseTimeoutMs: number;
}

export const DEFAULT_MANIFESTS_SETTINGS: ManifestsSettings = {
  file: DEFAULT_MANIFEST_LIMITS,
  cluster: DEFAULT_MANIFEST_SET_LIMITS,
  parserHeapMb: 512,
  parseTimeoutMs: 60_000,
};

/** The `meshSecurity.manifestLimits` key of each limit, named in messages. */
export const MANIFEST_LIMIT_KEYS: {
  file: Record<keyof ManifestLimits, string>;
  cluster: Record<keyof ManifestSetLimits, string>;
} = {
  file: {
    maxDocuments: 'maxDocumentsPerFile',
    maxNodes: 'maxNodesPerFile',
    maxDocumentNodes: 'maxNodesPerDocument',
    maxDepth: 'maxDepth',
    maxObjects: 'maxObjectsPerFile',
  },
  cluster: {
    maxFiles: 'maxFilesPerCluster',
    maxFileBytes: 'maxBytesPerFile',
    maxBytes: 'maxBytesPerCluster',
    maxDocuments: 'maxDocumentsPerCluster',
    maxNodes: 'maxNodesPerCluster',
    maxObjects: 'maxObjectsPerCluster',
  },
};
const key = (name: string) => `meshSecurity.manifestLimits.${name}`;

/** Document errors listed per file; the rest are counted in one more line. */
const ERRORS_PER_FILE = 5;
/** Longest file name shown in a message; longer ones keep their start and end. */
const NAME_LENGTH = 200;

/** Limits a cluster's remaining budget can lower below the per-file ones. */
type SharedLimit = 'maxDocuments' | 'maxNodes' | 'maxObjects';
const SHARED_LIMITS: SharedLimit[] = ['maxDocuments', 'maxNodes', 'maxObjects'];
const NOUNS: Record<SharedLimit, string> = {
  maxDocuments: 'documents',
  maxNodes: 'YAML nodes',
  maxObjects: 'objects',
};

/** What was read from one version of a file, kept until the file changes. */
interface FileRecord {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** SHA-256 of the content. */
  hash: string;
  /** The file's trimmed objects, counts and document errors, when it was read. */
  parsed?: ParsedFile;
  /** Why the file is not read, when it is not. */
  refusal?: string;
  /**
   * Set when the file was refused only because what was left of a cluster limit was lower than
   * the per-file limit: it is parsed again once more is left.
   */
  refusedWithin?: { name: SharedLimit; value: number };
}

type Totals = Record<SharedLimit, number> & { bytes: number };

/** A file name as shown in messages: control characters escaped, length bounded. */
function displayName(name: string): string {
  const escaped = escapeControlCharacters(name);
  if (escaped.length <= NAME_LENGTH) return escaped;
  const half = NAME_LENGTH / 2;
  return `${escaped.slice(0, half)}…${escaped.slice(-half)}`;
}

const errorCode = (error: unknown) =>
  (error as NodeJS.ErrnoException)?.code ?? 'error';

const sameVersion = (record: FileRecord, stat: Stats) =>
  record.size === stat.size &&
  record.mtimeMs === stat.mtimeMs &&
  record.ctimeMs === stat.ctimeMs &&
  record.ino === stat.ino;

/**
 * Reads at most `max` bytes of a regular file; `undefined` when it holds more. Opened
 * non-blocking and checked on the open descriptor: a file replaced by a FIFO since it was
 * listed is refused, not waited on.
 */
async function readBounded(
  file: string,
  max: number,
): Promise<Uint8Array | undefined> {
  const handle = await fs.open(
    file,
    // eslint-disable-next-line no-bitwise
    fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0),
  );
  try {
    if (!(await handle.stat()).isFile()) {
      throw Object.assign(new Error('not a regular file'), {
        code: 'not a regular file',
      });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const chunk = new Uint8Array(Math.min(1024 * 1024, max + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > max) return undefined;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/**
 * A cluster read from Kubernetes manifests on disk (YAML or JSON, multi-document, `kind: List`,
 * directories read recursively) — the demo estate, or a GitOps checkout.
 *
 * Every input is bounded (docs/backend.md "Manifest limits"): files are parsed one at a time
 * in a worker thread with a bounded heap and a timeout, so a hostile file costs bounded memory
 * and time and never blocks the event loop; a file that changed neither its stat nor its
 * content is not parsed again (its trimmed objects, or the reason it was refused, are kept).
 * A file or directory that cannot be read, does not parse or exceeds a limit is reported as a
 * kind status `error` naming it and why; the rest of the cluster is still read.
 */
export class ManifestsSource implements ClusterSource {
  readonly type = 'manifests' as const;
  private readonly settings: ManifestsSettings;
  private records = new Map<string, FileRecord>();
  private readonly reissue: (objects: unknown[]) => unknown[];

  constructor(
    readonly name: string,
    private readonly root: string,
    settings: Partial<ManifestsSettings> = {},
    /** Demo only: trust roots served re-issued from now (docs/backend.md "Demo trust roots"). */
    demoTrustRoots: DemoTrustRoot[] = [],
  ) {
    this.settings = { ...DEFAULT_MANIFESTS_SETTINGS, ...settings };
    this.reissue = demoTrustRootsReissuer(demoTrustRoots);
  }

  async read(): Promise<SourceRead> {
    const { files, problems } = await this.list();
    const objects: unknown[] = [];
    const counts = new Map<string, number>();
    const used: Totals = {
      bytes: 0,
      maxDocuments: 0,
      maxNodes: 0,
      maxObjects: 0,
    };
    const records = new Map<string, FileRecord>();
    const worker = new ManifestWorker({
      heapMb: this.settings.parserHeapMb,
      timeoutMs: this.settings.parseTimeoutMs,
    });
    try {
      for (const file of files) {
        const name = displayName(
          path.relative(this.root, file) || path.basename(file),
        );
        const flag = (message: string) =>
          problems.push({
            key: `file:${name}`,
            state: 'error',
            count: 0,
            message,
          });
        const record = await this.readFile(file, name, used, worker, flag);
        if (!record) continue;
        records.set(file, record);
        // Kept at once: a read abandoned half-way (a scheduler timeout) loses no parse.
        this.records.set(file, record);
        const parsed = this.admit(record, name, used, flag);
        for (const object of parsed?.objects ?? []) {
          objects.push(object);
          const kind = (object as { kind?: unknown })?.kind;
          const label = typeof kind === 'string' ? kind : 'unknown';
          counts.set(label, (counts.get(label) ?? 0) + 1);
        }
      }
    } finally {
      await worker.close();
    }
    // Records of files gone or unreadable are dropped with them.
    this.records = records;
    const kinds: KindStatus[] = [...problems];
    for (const [kind, count] of [...counts].sort()) {
      kinds.push({ key: kind, state: 'ok', count });
    }
    return { objects: this.reissue(objects), kinds, requests: 0 };
  }

  /**
   * The record of the file's current version: the previous one when neither its stat nor its
   * content changed (and it was not refused for a cluster budget that has grown since), else
   * a new parse. `undefined` when the file is not read at all (flagged).
   */
  private async readFile(
    file: string,
    name: string,
    used: Totals,
    worker: ManifestWorker,
    flag: (message: string) => void,
  ): Promise<FileRecord | undefined> {
    const { cluster } = this.settings;
    let stat: Stats;
    try {
      stat = await fs.stat(file);
    } catch (error) {
      flag(`${name}: cannot read: ${errorCode(error)}`);
      return undefined;
    }
    if (!stat.isFile()) {
      flag(`${name}: not a regular file`);
      return undefined;
    }
    if (stat.size > cluster.maxFileBytes) {
      flag(
        `${name}: larger than ${cluster.maxFileBytes} bytes (${key(
          MANIFEST_LIMIT_KEYS.cluster.maxFileBytes,
        )}): not read`,
      );
      return undefined;
    }
    if (used.bytes + stat.size > cluster.maxBytes) {
      flag(
        `${name}: not read: the cluster's files exceed ${
          cluster.maxBytes
        } bytes (${key(MANIFEST_LIMIT_KEYS.cluster.maxBytes)})`,
      );
      return undefined;
    }
    used.bytes += stat.size;
    const limits = this.limitsLeft(used);

    let record = this.records.get(file);
    let bytes: Uint8Array | undefined;
    let hash: string | undefined;
    const load = async () => {
      try {
        bytes = await readBounded(file, cluster.maxFileBytes);
      } catch (error) {
        flag(`${name}: cannot read: ${errorCode(error)}`);
        return false;
      }
      if (!bytes) {
        flag(
          `${name}: larger than ${cluster.maxFileBytes} bytes (${key(
            MANIFEST_LIMIT_KEYS.cluster.maxFileBytes,
          )}): not read`,
        );
        return false;
      }
      hash = createHash('sha256').update(bytes).digest('hex');
      return true;
    };
    if (record && !sameVersion(record, stat)) {
      if (!(await load())) return undefined;
      record =
        record.hash === hash ? { ...record, ...version(stat) } : undefined;
    }
    if (record?.refusedWithin) {
      const { name: limit, value } = record.refusedWithin;
      if (limits[limit] > value) record = undefined;
    }
    if (record) return record;
    if (!bytes && !(await load())) return undefined;
    return {
      ...version(stat),
      hash: hash!,
      ...(await this.parse(bytes!, name, limits, worker)),
    };
  }

  /** The per-file limits, lowered to what is left of the cluster's. */
  private limitsLeft(used: Totals): ManifestLimits {
    const { file, cluster } = this.settings;
    const limits = { ...file };
    for (const limit of SHARED_LIMITS) {
      limits[limit] = Math.max(
        0,
        Math.min(file[limit], cluster[limit] - used[limit]),
      );
    }
    return limits;
  }

  private async parse(
    bytes: Uint8Array,
    name: string,
    limits: ManifestLimits,
    worker: ManifestWorker,
  ): Promise<Pick<FileRecord, 'parsed' | 'refusal' | 'refusedWithin'>> {
    const result = await worker.parse(bytes, name, limits);
    if ('failure' in result)
      return { refusal: this.failure(name, result.failure) };
    const exceeded = result.errors.find(e => e.limit)?.limit;
    if (!exceeded) return { parsed: result };
    const limit = exceeded.name;
    if (
      (SHARED_LIMITS as string[]).includes(limit) &&
      exceeded.value < this.settings.file[limit]
    ) {
      return {
        refusal: this.clusterRefusal(name, limit as SharedLimit),
        refusedWithin: { name: limit as SharedLimit, value: exceeded.value },
      };
    }
    return {
      refusal: `${result.errors[0].message} (${key(
        MANIFEST_LIMIT_KEYS.file[limit],
      )})`,
    };
  }

  /**
   * The objects of a record, counted against the cluster's limits; `undefined` (and flagged)
   * when the file is refused or would exceed what is left.
   */
  private admit(
    record: FileRecord,
    name: string,
    used: Totals,
    flag: (message: string) => void,
  ): ParsedFile | undefined {
    if (!record.parsed) {
      flag(record.refusal ?? `${name}: not read`);
      return undefined;
    }
    const { counts, errors } = record.parsed;
    const fileCounts: Record<SharedLimit, number> = {
      maxDocuments: counts.documents,
      maxNodes: counts.nodes,
      maxObjects: counts.objects,
    };
    const over = SHARED_LIMITS.find(
      limit => used[limit] + fileCounts[limit] > this.settings.cluster[limit],
    );
    if (over) {
      flag(this.clusterRefusal(name, over));
      return undefined;
    }
    for (const limit of SHARED_LIMITS) used[limit] += fileCounts[limit];
    errors.slice(0, ERRORS_PER_FILE).forEach(e => flag(e.message));
    if (errors.length > ERRORS_PER_FILE) {
      flag(
        `${name}: ${
          errors.length - ERRORS_PER_FILE
        } more documents do not parse`,
      );
    }
    return record.parsed;
  }

  private clusterRefusal(name: string, limit: SharedLimit): string {
    return `${name}: not read: the cluster's files would hold more than ${
      this.settings.cluster[limit]
    } ${NOUNS[limit]} (${key(MANIFEST_LIMIT_KEYS.cluster[limit])})`;
  }

  private failure(name: string, failure: WorkerFailure): string {
    switch (failure) {
      case 'timeout':
        return `${name}: not read: parsing took longer than ${
          this.settings.parseTimeoutMs / 1000
        } s (${key('parseTimeout')})`;
      case 'memory':
        return `${name}: not read: parsing needs more than ${
          this.settings.parserHeapMb
        } MiB (${key('parserHeapMb')})`;
      default:
        return `${name}: not read: the parser stopped unexpectedly`;
    }
  }

  /**
   * The manifest files under the root, sorted (deterministic), at most `maxFilesPerCluster`.
   * Directories that cannot be read (permissions, names too long) are flagged and skipped;
   * symbolic links are not followed.
   */
  private async list(): Promise<{ files: string[]; problems: KindStatus[] }> {
    const problems: KindStatus[] = [];
    const unreachable = (error: unknown) =>
      new ClusterUnreachableError(
        `cannot read manifests for cluster ${this.name} at ${
          this.root
        }: ${errorCode(error)}`,
      );
    let stat: Stats;
    try {
      stat = await fs.stat(this.root);
    } catch (error) {
      throw unreachable(error);
    }
    if (stat.isFile()) return { files: [this.root], problems };
    const files: string[] = [];
    const { maxFiles } = this.settings.cluster;
    let more = false;
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (dir === this.root) throw unreachable(error);
        const name = displayName(path.relative(this.root, dir));
        problems.push({
          key: `file:${name}`,
          state: 'error',
          count: 0,
          message: `${name}: cannot read directory: ${errorCode(error)}`,
        });
        return;
      }
      // Name order as kubectl walks a directory (byte order, not the locale's: `B.yaml` before
      // `a.yaml`), so that of an object defined twice the definition kubectl applies last wins
      // (MS409), as the CLI reads the same directory.
      entries.sort((a, b) => Number(a.name > b.name) - Number(a.name < b.name));
      const build = entries.find(e => e.isFile() && manifestBuildTool(e.name));
      if (build) {
        // A Helm chart or a kustomization: what it builds is not these files. Not read, and
        // said, so that the cluster is partial rather than evaluated from its templates or
        // patches (manifestBuildTool).
        const name = displayName(
          path.relative(this.root, dir) || path.basename(dir),
        );
        problems.push({
          key: `file:${name}`,
          state: 'error',
          count: 0,
          message:
            manifestBuildTool(build.name) === 'helm'
              ? `${name} is a Helm chart (it holds ${build.name}): not read, its templates are not manifests until rendered; point the cluster's path at the rendered manifests (helm template)`
              : `${name} is a kustomization (it holds ${build.name}): not read, its files are not manifests until built; point the cluster's path at the built manifests (kubectl kustomize)`,
        });
        return;
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          await walk(full);
        } else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) {
          if (files.length === maxFiles) more = true;
          else files.push(full);
        }
        if (more) return;
      }
    };
    await walk(this.root);
    if (more) {
      problems.push({
        key: 'files',
        state: 'error',
        count: 0,
        message: `more than ${maxFiles} manifest files (${key(
          MANIFEST_LIMIT_KEYS.cluster.maxFiles,
        )}): the first ${maxFiles} in name order are read`,
      });
    }
    return { files, problems };
  }
}

function version(stat: Stats) {
  return {
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    ctimeMs: stat.ctimeMs,
    ino: stat.ino,
  };
}
