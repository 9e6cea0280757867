import { DEFAULT_MANIFEST_SET_LIMITS } from '@mesh-security/plugin-mesh-security-common';
import { Command, CommanderError } from 'commander';
import { runCheck } from './commands/check';
import { runEvaluate } from './commands/evaluate';
import { safeForLogs } from './format/escape';
import { InputError } from './inputs';

/** Streams the CLI writes to (injected so tests run it in-process). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: CliIo = {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
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

function program(io: CliIo, setResult: (text: string) => void): Command {
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
      'YAML/JSON manifests; directories are read recursively',
    )
    .option('--format <format>', 'json or table', 'table')
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
    .action((inputs: string[], opts) => setResult(runEvaluate(inputs, opts)));
  withInputLimits(cmd.command('check'))
    .description(
      'may a client call a workload port? (ALLOW/DENY with the deciding layer and policy)',
    )
    .argument(
      '<file-or-dir...>',
      'YAML/JSON manifests; directories are read recursively',
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
    .action((inputs: string[], opts) => setResult(runCheck(inputs, opts)));
  return cmd;
}

/**
 * Runs the CLI with the given arguments (without `node` and the script). Returns the exit
 * status: 0 when a result was computed, 2 on bad input (one line on stderr). Everything
 * printed, on either stream, goes through {@link safeForLogs}.
 */
export function main(argv: string[], unsafeIo: CliIo = defaultIo): number {
  const io: CliIo = {
    stdout: text => unsafeIo.stdout(safeForLogs(text)),
    stderr: text => unsafeIo.stderr(safeForLogs(text)),
  };
  let result: string | undefined;
  try {
    program(io, text => {
      result = text;
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
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
