import {
  certificateFindings,
  checkPlatformNamespaces,
  createEngine,
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  detectNetworkPolicyEnforcement,
  Engine,
  enforcementFindings,
  Finding,
  meshCertificates,
  readObjects,
} from '@mesh-security/plugin-mesh-security-common';
import { parseX509 } from './certificates';
import { InputError } from './inputs';

/** The options of `evaluate` and `diff` that decide how a state is evaluated. */
export interface StateOptions {
  rootNamespace?: string;
  trustDomain?: string;
  /** The input holds every DaemonSet of the cluster (MS330 may then be raised). */
  allDaemonSets?: boolean;
  platformNamespaces?: string;
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

/** One state evaluated: the engine, and the findings raised beside the engine's own. */
interface EvaluatedState {
  engine: Engine;
  /** Findings of reading the objects (`readObjects`: MS401 malformed, …). */
  read: Finding[];
  /** Findings of the certificates and of NetworkPolicy enforcement. */
  beside: Finding[];
}

/**
 * Reads the objects of one state and evaluates them, as `evaluate` and `diff` both do, so that
 * both report the same findings for the same input.
 */
export function evaluateState(
  objects: unknown[],
  options: StateOptions,
  now: Date,
): EvaluatedState {
  const { snapshot, findings: read } = readObjects(objects);
  const engine = createEngine(snapshot, {
    rootNamespace: options.rootNamespace,
    trustDomain: options.trustDomain,
    platformNamespaces: namespaceList(options.platformNamespaces),
  });
  const cluster = 'default';
  // Manifests name no node agent unless they hold the cluster's DaemonSets: without
  // --all-daemon-sets, the enforcement is unknown and MS330 is never raised.
  const enforcement = detectNetworkPolicyEnforcement(
    objects,
    options.allDaemonSets === true,
  );
  const certificates = meshCertificates(objects, {
    now,
    warningDays: DEFAULT_CERTIFICATE_WARNING_DAYS,
    parseCertificate: parseX509,
  });
  return {
    engine,
    read,
    beside: [
      ...certificateFindings(cluster, certificates),
      ...enforcementFindings(cluster, enforcement, snapshot.networkPolicies),
    ],
  };
}
