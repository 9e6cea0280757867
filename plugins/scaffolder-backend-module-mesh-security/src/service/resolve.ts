import { InputError, NotAllowedError } from '@backstage/errors';
import { KUBERNETES_ANNOTATION } from '@backstage/plugin-kubernetes-common';
import {
  EntityPosture,
  EntityWorkload,
  GitopsRepository,
  gitopsRepositoryRefusal,
  istioPrincipal,
  parseGitopsRepository,
  parseIstioPrincipal,
  parseMeshIdentity,
  POLICY_PATH_ANNOTATION,
} from '@mesh-security/plugin-mesh-security-common';
import { AccessRequestsConfig, policyPath } from '../config';
import { CallerAccount } from '../analysis/snapshot';
import { DNS1123_LABEL, parseRef } from '../validation';
import { EntityReader } from './EntityReader';

/** A caller resolved to its service account and mesh identity. */
export interface ResolvedCaller extends CallerAccount {
  /** As requested (entity ref or identity). */
  input: string;
  /** Istio principal (`<td>/ns/<ns>/sa/<sa>`). */
  principal: string;
  /** The caller's workload name, when the caller was named as a component. */
  workloadName?: string;
}

/** The target workload and where its policies live. */
export interface ResolvedTarget {
  ref: string;
  name: string;
  cluster: string;
  workload: EntityWorkload;
  trustDomain: string;
}

/** Trust domain of an Istio SPIFFE identity or a Linkerd identity. */
export function trustDomainOf(identity: string | null | undefined): string {
  return (
    (identity && parseMeshIdentity(identity)?.trustDomain) || 'cluster.local'
  );
}

function pickWorkload(
  posture: EntityPosture,
  ref: string,
  cluster?: string,
): EntityWorkload {
  const workloads = posture.workloads.filter(
    w => !cluster || w.cluster === cluster,
  );
  if (workloads.length === 0) {
    throw new InputError(
      `${ref} has no workloads${
        cluster ? ` in cluster ${cluster}` : ''
      } known to Mesh Security; check its ${KUBERNETES_ANNOTATION} annotation`,
    );
  }
  return workloads[0];
}

/** Resolves the target component to one workload (the first of the cluster). */
export async function resolveTarget(
  client: EntityReader,
  ref: string,
  cluster?: string,
): Promise<ResolvedTarget> {
  const workload = pickWorkload(await client.posture(ref), ref, cluster);
  return {
    ref,
    name: parseRef(ref).name,
    cluster: workload.cluster ?? cluster ?? 'default',
    workload,
    trustDomain: trustDomainOf(workload.identity),
  };
}

/**
 * The callers given as entity refs, by the rule {@link resolveCallers} applies: anything that is
 * not an Istio principal or a Linkerd identity names a component.
 */
export function callerEntityRefs(callers: string[]): string[] {
  return callers.filter(input => parseMeshIdentity(input) === undefined);
}

/** Resolves callers: component refs through the backend, identities by parsing them. */
export async function resolveCallers(
  client: EntityReader,
  callers: string[],
  target: ResolvedTarget,
): Promise<ResolvedCaller[]> {
  const out: ResolvedCaller[] = [];
  for (const input of callers) {
    const istio = parseIstioPrincipal(input);
    const identity = parseMeshIdentity(input);
    let namespace: string;
    let serviceAccount: string;
    let labels: Record<string, string> | undefined;
    let workloadName: string | undefined;
    if (identity) ({ namespace, serviceAccount } = identity);
    else {
      const w = pickWorkload(
        await client.posture(input),
        input,
        target.cluster,
      );
      [namespace, serviceAccount, labels, workloadName] = [
        w.namespace,
        w.serviceAccount,
        w.labels,
        w.name,
      ];
    }
    if (!DNS1123_LABEL.test(namespace) || !DNS1123_LABEL.test(serviceAccount))
      throw new InputError(
        `${input} does not resolve to a valid namespace/service account`,
      );
    out.push({
      input,
      namespace,
      serviceAccount,
      ...(labels ? { labels } : {}),
      ...(workloadName ? { workloadName } : {}),
      principal: istioPrincipal(
        istio?.trustDomain ?? target.trustDomain,
        namespace,
        serviceAccount,
      ),
    });
  }
  return out;
}

/** Labels a new policy selects the target with: `app`, else `app.kubernetes.io/name`, else all. */
export function selectorLabels(
  labels: Record<string, string>,
): Record<string, string> {
  for (const key of ['app', 'app.kubernetes.io/name'])
    if (labels[key]) return { [key]: labels[key] };
  return Object.fromEntries(
    Object.entries(labels).filter(([k]) => k !== 'pod-template-hash'),
  );
}

/** What a Linkerd policy edit needs to know about the target and the callers. */
export function linkerdChangeFor(
  workload: EntityWorkload,
  ports: number[],
  callers: ResolvedCaller[],
) {
  return {
    namespace: workload.namespace,
    targetLabels: workload.labels,
    selectorLabels: selectorLabels(workload.labels),
    targetName: workload.name,
    ports: ports.map(p => ({
      port: p,
      name: workload.ports.find(wp => wp.port === p)?.name,
    })),
    callers: callers.map(c => ({
      namespace: c.namespace,
      name: c.serviceAccount,
    })),
  };
}

/** Longest policy path accepted, in characters. */
const MAX_POLICY_PATH = 1024;

/**
 * Refuses a policy path that is not a relative `.yaml`/`.yml` file under `prefix`
 * (`meshSecurity.accessRequests.policyPathPrefix`): an annotation must never steer the actions
 * to `.github/workflows/` or out of the repository. `source` says where the path came from.
 */
export function checkPolicyPath(
  path: string,
  prefix: string,
  source: string,
): string {
  const refuse = (why: string) =>
    new InputError(
      `Policy path ${JSON.stringify(path.slice(0, 200))} (${source}) ${why}`,
    );
  if (path.length > MAX_POLICY_PATH)
    throw refuse(`is longer than ${MAX_POLICY_PATH} characters`);
  if (path.startsWith('/'))
    throw refuse('must be relative to the repository root, not absolute');
  if (path.split('/').some(s => s === '' || s === '.' || s === '..'))
    throw refuse('must not have empty, "." or ".." segments');
  if (!/^[A-Za-z0-9._/-]+$/.test(path))
    throw refuse('may only contain letters, digits, ".", "_", "-" and "/"');
  if (!/\.ya?ml$/.test(path)) throw refuse('must name a .yaml or .yml file');
  if (!path.startsWith(prefix))
    throw refuse(
      `must be under ${prefix} (meshSecurity.accessRequests.policyPathPrefix)`,
    );
  return path;
}

/** The policy file: the component's annotation, else the path template. */
export async function resolvePolicyPath(
  client: EntityReader,
  target: ResolvedTarget,
  config: Pick<AccessRequestsConfig, 'pathTemplate' | 'policyPathPrefix'>,
): Promise<string> {
  const entity = await client.entity(target.ref);
  const annotated = entity?.metadata.annotations?.[POLICY_PATH_ANNOTATION];
  if (annotated !== undefined) {
    return checkPolicyPath(
      annotated,
      config.policyPathPrefix,
      `annotation ${POLICY_PATH_ANNOTATION} of ${target.ref}`,
    );
  }
  return checkPolicyPath(
    policyPath(config.pathTemplate, {
      cluster: target.cluster,
      namespace: target.workload.namespace,
      name: target.name,
    }),
    config.policyPathPrefix,
    'meshSecurity.accessRequests.pathTemplate',
  );
}

/** No GitOps repository is configured (nor given): the change has nowhere to go. */
export class NoGitopsRepositoryError extends InputError {}

/**
 * The repository to change: the input or the configured one, which `allowedRepositories` must
 * allow (absent: only the configured one).
 */
export function resolveRepository(
  config: AccessRequestsConfig,
  requested?: string,
): GitopsRepository {
  const value = requested ?? config.repository;
  if (!value)
    throw new NoGitopsRepositoryError(
      'No GitOps repository: set meshSecurity.accessRequests.repository',
    );
  const repository = parseGitopsRepository(value);
  if (!repository)
    throw new InputError(
      `Repository ${value} must be host/owner/name or owner/name`,
    );
  const refusal = gitopsRepositoryRefusal(config, repository);
  if (refusal) throw new NotAllowedError(`Repository ${refusal}`);
  return repository;
}
