import { DEFAULT_MANIFEST_SET_LIMITS } from '@mesh-security/plugin-mesh-security-common';
import { Command, CommanderError } from 'commander';
import fs from 'node:fs';
import { runCheck } from './commands/check';
import { runDiff } from './commands/diff';
import { runEvaluate } from './commands/evaluate';
import { safeForLogs } from './format/escape';
import { InputError, StdinReader } from './inputs';

/** Streams the CLI writes to (injected so tests run it in-process). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads standard input, bounded (the input `-`). */
  stdin?: StdinReader;
}

/** Reads fd 0 to its end, at most `maxBytes`; waits while a pipe has nothing yet (EAGAIN). */
const readStdin: StdinReader = (maxBytes, tooLarge) => {
  const chunks: Buffer[] = [];
  let total = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const chunk = Buffer.alloc(Math.min(1024 * 1024, maxBytes + 1 - total));
    let read: number;
    try {
      read = fs.readSync(0, chunk, 0, chunk.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if ((error as NodeJS.ErrnoException).code === 'EOF') break;
      throw new InputError(
        `cannot read stdin: ${
          (error as NodeJS.ErrnoException).code ?? 'error'
        }`,
      );
    }
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    total += read;
    if (total > maxBytes) throw tooLarge();
  }
  return Buffer.concat(chunks, total);
};

const defaultIo: CliIo = {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  stdin: readStdin,
};

/** `--max-file-bytes` and `--max-total-bytes`, on every command that reads manifests. */
function withInputLimits(command: Command): Command {
  return command
    .option(
      '--max-file-bytes <n>',
      `largest manifest file read, in bytes (default ${DEFAULT_MANIFEST_SET_LIMITS.maxFileBytes})`,
    )
    .option(
      '--max-total-bytes <n>',
      `bytes read from all inputs together (default ${DEFAULT_MANIFEST_SET_LIMITS.maxBytes})`,
    );
}

function program(
  io: CliIo,
  setResult: (text: string, exitCode?: number) => void,
): Command {
  const cmd = new Command('mesh-security')
    .description(
      'mTLS, authorization and network-policy posture of Kubernetes manifests (Istio, Linkerd, NetworkPolicy)',
    )
    .exitOverride()
    .configureOutput({
      writeOut: t => io.stdout(t),
      writeErr: t => io.stderr(t),
    });
  withInputLimits(cmd.command('evaluate'))
    .description('posture of every workload, and findings')
    .argument(
      '<file-or-dir...>',
      'YAML/JSON manifests; directories are read recursively; - reads standard input',
    )
    .option('--format <format>', 'table, json, markdown or sarif', 'table')
    .option(
      '--root-namespace <ns>',
      'Istio root namespace (default: mesh config, else istio-system)',
    )
    .option(
      '--trust-domain <domain>',
      'Istio trust domain (default: mesh config, else cluster.local)',
    )
    .option(
      '--all-daemon-sets',
      'the input holds every DaemonSet of the cluster: report MS330 when none enforces NetworkPolicy',
    )
    .option(
      '--platform-namespaces <list>',
      'comma-separated namespaces of platform components, which raise no mesh-membership findings (default: kube-system,kube-public,kube-node-lease,linkerd,cert-manager and the Istio root namespace; "" for none)',
    )
    .action((inputs: string[], opts) =>
      setResult(runEvaluate(inputs, opts, io.stdin)),
    );
  withInputLimits(cmd.command('check'))
    .description(
      'may a client call a workload port? (ALLOW/DENY with the deciding layer and policy)',
    )
    .argument(
      '<file-or-dir...>',
      'YAML/JSON manifests; directories are read recursively; - reads standard input',
    )
    .requiredOption(
      '--from <client>',
      '<namespace>/<workload>, or external (a plaintext client outside the cluster)',
    )
    .requiredOption('--to <workload>', '<namespace>/<workload>')
    .requiredOption('--port <n>', 'target container port')
    .option('--method <method>', 'HTTP method')
    .option('--path <path>', 'HTTP path')
    .option('--format <format>', 'json or table', 'table')
    .action((inputs: string[], opts) =>
      setResult(runCheck(inputs, opts, io.stdin)),
    );
  withInputLimits(cmd.command('diff'))
    .description(
      'what a change does: callers gained and lost, mTLS and layer changes, findings introduced and resolved, per workload port',
    )
    .argument(
      '[paths...]',
      'manifest paths: inside each git revision (default: the whole tree), and the head on disk when --head is absent; - reads the head from stdin',
    )
    .requiredOption(
      '--base <state>',
      'the state before: a git revision, comma-separated files/directories, or - (stdin)',
    )
    .option(
      '--head <state>',
      'the state after: a git revision, comma-separated files/directories, or - (stdin)',
    )
    .option('--format <format>', 'table, markdown, json or sarif', 'table')
    .option(
      '--fail-on <gates>',
      'exit 1 when a gate is hit: widened-access, narrowed-access, mtls-downgrade, layer-change, new-finding[:<severity>] (comma-separated)',
    )
    .option(
      '--root-namespace <ns>',
      'Istio root namespace (default: mesh config, else istio-system)',
    )
    .option(
      '--trust-domain <domain>',
      'Istio trust domain (default: mesh config, else cluster.local)',
    )
    .option(
      '--all-daemon-sets',
      'both states hold every DaemonSet of the cluster: report MS330 when none enforces NetworkPolicy',
    )
    .option(
      '--platform-namespaces <list>',
      'comma-separated namespaces of platform components, as for evaluate',
    )
    .action((paths: string[], opts) => {
      const { text, exitCode } = runDiff(
        paths,
        opts,
        io.stdin ?? (() => Buffer.alloc(0)),
      );
      setResult(text, exitCode);
    });
  return cmd;
}

/**
 * Runs the CLI with the given arguments (without `node` and the script). Returns the exit
 * status: 0 when a result was computed, 1 when `diff` hit a gate of `--fail-on`, 2 on bad input
 * (one line on stderr). Everything printed, on either stream, goes through {@link safeForLogs}.
 */
export function main(argv: string[], unsafeIo: CliIo = defaultIo): number {
  const io: CliIo = {
    stdout: text => unsafeIo.stdout(safeForLogs(text)),
    stderr: text => unsafeIo.stderr(safeForLogs(text)),
    stdin: unsafeIo.stdin,
  };
  let result: string | undefined;
  let status = 0;
  try {
    program(io, (text, exitCode) => {
      result = text;
      status = exitCode ?? 0;
    }).parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help / --version exit 0; usage errors have already been printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof InputError) {
      io.stderr(`mesh-security: ${error.message.split('\n')[0]}\n`);
      return 2;
    }
    io.stderr(
      `mesh-security: ${
        String((error as Error)?.message ?? error).split('\n')[0]
      }\n`,
    );
    return 2;
  }
  if (result !== undefined) io.stdout(`${result}\n`);
  return status;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
