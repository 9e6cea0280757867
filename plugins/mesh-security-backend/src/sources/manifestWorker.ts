import {
  ManifestCounts,
  ManifestError,
  ManifestLimits,
  parseManifests,
} from '@mesh-security/plugin-mesh-security-common';
import {
  isMainThread,
  MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { trimObject } from './trim';

/** One file to parse, posted to the worker. */
interface ParseRequest {
  bytes: Uint8Array;
  source: string;
  limits: ManifestLimits;
}

/** The worker's answer: the file's trimmed objects, its errors and what it held. */
export interface ParsedFile {
  objects: unknown[];
  errors: ManifestError[];
  counts: ManifestCounts;
}

/** Why the worker could not answer; it is then terminated. */
export type WorkerFailure = 'timeout' | 'memory' | 'crash';

/** Set in `workerData` of the threads {@link ManifestWorker} starts. */
const WORKER_MARKER = 'meshSecurityManifestWorker';

/**
 * Runs inside the worker thread: parses and trims each file posted to it. Trimming here means
 * only the trimmed objects are copied back to the event loop.
 */
function serveManifestParsing(port: MessagePort): void {
  const decoder = new TextDecoder('utf-8');
  port.on('message', (request: ParseRequest) => {
    const parsed = parseManifests(
      decoder.decode(request.bytes),
      request.source,
      request.limits,
    );
    const answer: ParsedFile = {
      objects: parsed.objects.map(trimObject),
      errors: parsed.errors,
      counts: parsed.counts,
    };
    port.postMessage(answer);
  });
}

// Loaded in a thread started by ManifestWorker, this module serves parse requests. A top-level
// statement rather than an export, which the package build would drop as unused.
if (!isMainThread && parentPort && workerData?.[WORKER_MARKER]) {
  serveManifestParsing(parentPort);
}

/**
 * The worker's entry: this module itself, loaded by path. Built, the path is a `.cjs.js` file
 * (the package is built with one output file per module); from source (`backstage-cli package
 * start`, jest) it is the `.ts` file, which needs the Backstage CLI's node transform: inherited
 * with the parent's `--require` under `package start`, registered here otherwise.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.transform && !require.extensions['.ts']) require(workerData.transform);
require(workerData.module);
`;

/** What a started thread receives: the marker, this module, and the transform if needed. */
function startData(): Record<string, unknown> {
  const transform = __filename.endsWith('.ts')
    ? require.resolve('@backstage/cli/config/nodeTransform.cjs')
    : undefined;
  return { [WORKER_MARKER]: true, module: __filename, transform };
}

/**
 * A worker thread that parses manifest files off the event loop, with a bounded heap
 * (`resourceLimits`) and a wall-clock timeout per file. A worker that runs out of memory, times
 * out or crashes is terminated and the next file gets a new one. Files are parsed one at a time.
 */
export class ManifestWorker {
  private worker?: Worker;
  private pending?: {
    resolve: (result: ParsedFile | { failure: WorkerFailure }) => void;
    timer: NodeJS.Timeout;
  };

  constructor(
    private readonly options: { heapMb: number; timeoutMs: number },
  ) {}

  parse(
    bytes: Uint8Array,
    source: string,
    limits: ManifestLimits,
  ): Promise<ParsedFile | { failure: WorkerFailure }> {
    if (this.pending)
      throw new Error('ManifestWorker parses one file at a time');
    const worker = this.start();
    return new Promise(resolve => {
      const timer = setTimeout(
        () => this.fail('timeout'),
        this.options.timeoutMs,
      );
      this.pending = { resolve, timer };
      const request: ParseRequest = { bytes, source, limits };
      worker.postMessage(request);
    });
  }

  /** Terminates the worker (if any); the next parse starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: startData(),
      resourceLimits: { maxOldGenerationSizeMb: this.options.heapMb },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (answer: ParsedFile) => this.settle(answer));
    worker.on('error', error =>
      this.fail(
        (error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'memory'
          : 'crash',
        worker,
      ),
    );
    worker.on('exit', () => this.fail('crash', worker));
    // An idle worker must not keep the backend (or a test) from exiting.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(result: ParsedFile | { failure: WorkerFailure }) {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  private fail(failure: WorkerFailure, from?: Worker) {
    // Events of a worker already replaced (its exit after terminate) are not about this parse.
    if (from && from !== this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    worker?.terminate().catch(() => undefined);
    this.settle({ failure });
  }
}
