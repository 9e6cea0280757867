import {
  certificateFindings,
  checkPlatformNamespaces,
  createEngine,
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  detectNetworkPolicyEnforcement,
  enforcementFindings,
  meshCertificates,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { parseX509 } from '../certificates';
import { workloadPostureToCliJson } from '../format/json';
import { renderTable } from '../format/table';
import { displayName } from '../format/escape';
import { findingsMarkdown } from '../format/markdown';
import { findingsSarif, ObjectLocator } from '../format/sarif';
import { InputError, readByteLimits, readManifests } from '../inputs';

/** Options of `mesh-security evaluate`. */
export interface EvaluateOptions {
  format?: string;
  rootNamespace?: string;
  trustDomain?: string;
  /** The input holds every DaemonSet of the cluster (MS330 may then be raised). */
  allDaemonSets?: boolean;
  platformNamespaces?: string;
  maxFileBytes?: string;
  maxTotalBytes?: string;
}

export function checkFormat(format: string | undefined): 'json' | 'table' {
  const f = format ?? 'table';
  if (f !== 'json' && f !== 'table')
    throw new InputError(
      `--format must be json or table, not ${displayName(f)}`,
    );
  return f;
}

/** `--platform-namespaces`: absent → the engine's defaults; `""` → none. */
function namespaceList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
  try {
    return checkPlatformNamespaces(names, '--platform-namespaces');
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

const EVALUATE_FORMATS = ['table', 'json', 'markdown', 'sarif'] as const;

/** Runs `evaluate` and returns the text to print on stdout. */
export function runEvaluate(
  inputs: string[],
  options: EvaluateOptions,
): string {
  const format = options.format ?? 'table';
  if (!(EVALUATE_FORMATS as readonly string[]).includes(format))
    throw new InputError(
      `--format must be ${EVALUATE_FORMATS.join(', ')}, not ${displayName(
        format,
      )}`,
    );
  const set = readManifests(inputs, readByteLimits(options));
  const objects = set.objects;
  const { snapshot, findings: readFindings } = readObjects(objects);
  const engine = createEngine(snapshot, {
    rootNamespace: options.rootNamespace,
    trustDomain: options.trustDomain,
    platformNamespaces: namespaceList(options.platformNamespaces),
  });
  const result = engine.evaluate();
  const cluster = 'default';
  // Manifests name no node agent unless they hold the cluster's DaemonSets: without
  // --all-daemon-sets, the enforcement is unknown and MS330 is never raised.
  const enforcement = detectNetworkPolicyEnforcement(
    objects,
    options.allDaemonSets === true,
  );
  const certificates = meshCertificates(objects, {
    now: new Date(),
    warningDays: DEFAULT_CERTIFICATE_WARNING_DAYS,
    parseCertificate: parseX509,
  });
  const json = workloadPostureToCliJson(result.workloads, [
    ...readFindings,
    ...result.findings,
    ...certificateFindings(cluster, certificates),
    ...enforcementFindings(cluster, enforcement, snapshot.networkPolicies),
  ]);
  // JSON.stringify escapes what a JSON string cannot hold raw; main() escapes the rest.
  if (format === 'json') return JSON.stringify(json, null, 2);
  if (format === 'sarif')
    return JSON.stringify(
      findingsSarif(json.findings, new ObjectLocator(set)),
      null,
      2,
    );
  if (format === 'markdown')
    return findingsMarkdown(
      json.findings,
      json.workloads.length,
      new ObjectLocator(set),
    );
  const workloads = renderTable(
    ['NAMESPACE', 'WORKLOAD', 'KIND', 'MESH', 'MTLS', 'PORTS', 'IDENTITY'],
    json.workloads.map(w => [
      w.namespace,
      w.name,
      w.kind,
      w.mesh,
      w.mtls,
      w.ports.map(p => `${p.port}:${p.mtls}`).join(' ') || '-',
      w.identity ?? '-',
    ]),
  );
  const findings =
    json.findings.length === 0
      ? 'No findings.'
      : renderTable(
          ['CODE', 'SEVERITY', 'OBJECT', 'MESSAGE'],
          json.findings.map(f => [
            f.code,
            f.severity,
            `${f.object.kind} ${
              f.object.namespace ? `${f.object.namespace}/` : ''
            }${f.object.name}`,
            f.message,
          ]),
        );
  return `${workloads}\n\n${findings}`;
}
