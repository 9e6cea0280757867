import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { z as zod } from 'zod/v3';
import { removeLinkerdAccess } from '../policy/linkerd';
import { removeLinkerdRouteAccess } from '../policy/linkerdRouteRevoke';
import { routeMatchesFor } from '../policy/linkerdRouteMatches';
import { describeRevocation } from '../policy/istioOperations';
import { removeIstioAccess, revokeIstioRequests } from '../policy/istioRevoke';
import { ActionDeps, authorizeRequest, executePlan } from '../service/execute';
import {
  callerEntityRefs,
  resolveCallers,
  resolvePolicyPath,
  resolveRepository,
  resolveTarget,
  linkerdChangeFor,
  selectorLabels,
} from '../service/resolve';
import {
  callerSchema,
  changeOutputSchema,
  clusterSchema,
  justificationSchema,
  methodsSchema,
  pathsSchema,
  portsSchema,
  repositorySchema,
  targetSchema,
} from '../validation';
import { grantUsageEvidence } from '../service/trafficEvidence';
import { examples } from './accessRevoke.examples';

/** Input schema of `mesh-security:access:revoke`. */
export const accessRevokeInput = (z: typeof zod) =>
  z.object({
    target: targetSchema(z),
    callers: z
      .array(callerSchema(z))
      .min(1)
      .max(20)
      .describe('Whose access to remove'),
    ports: portsSchema(z).describe('Only these ports (every port when absent)'),
    methods: methodsSchema(z).describe(
      'Only these HTTP methods (every method when absent)',
    ),
    paths: pathsSchema(z).describe(
      'Only these HTTP paths (every path when absent)',
    ),
    justification: justificationSchema(z),
    cluster: clusterSchema(z),
    repository: repositorySchema(z),
  });

/**
 * `mesh-security:access:revoke`: opens a pull request removing the callers' access to the
 * target — all of it, or only the given ports / methods / paths — in the target's policy file
 * (Istio principals and operations in ALLOW rules, Linkerd MeshTLSAuthentication identities of
 * Server-level and HTTPRoute grants). Other callers keep exactly what they had.
 *
 * @public
 */
export function createAccessRevokeAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'mesh-security:access:revoke',
    description:
      "Removes callers' access to a component (all of it, or some ports, methods or paths) through a reviewed pull request against the GitOps repository.",
    examples,
    supportsDryRun: true,
    schema: { input: accessRevokeInput, output: changeOutputSchema },
    async handler(ctx) {
      const input = accessRevokeInput(zod).parse(ctx.input);
      await authorizeRequest(ctx, deps.permissions, [
        input.target,
        ...callerEntityRefs(input.callers),
      ]);
      const target = await resolveTarget(
        deps.client,
        input.target,
        input.cluster,
      );
      const { workload } = target;
      if (workload.mesh === 'none')
        throw new InputError(
          `${input.target} is not in a service mesh; there is no identity-based access to revoke`,
        );
      const unknownPort = input.ports?.find(
        p => !workload.ports.some(wp => wp.port === p),
      );
      if (unknownPort !== undefined)
        throw new InputError(
          `${input.target} has no port ${unknownPort} (ports: ${workload.ports
            .map(p => p.port)
            .join(', ')})`,
        );
      const linkerd = workload.mesh === 'linkerd';
      const perRoute = Boolean(input.methods?.length || input.paths?.length);
      if (linkerd && perRoute) routeMatchesFor(input.methods, input.paths);
      const callers = await resolveCallers(deps.client, input.callers, target);
      const repository = resolveRepository(deps.config, input.repository);
      const path = await resolvePolicyPath(deps.client, target, deps.config);
      const ports = input.ports?.length
        ? input.ports
        : workload.ports.map(p => p.port);
      const revocation = {
        ...(input.ports?.length ? { ports: input.ports.map(String) } : {}),
        ...(input.methods?.length ? { methods: input.methods } : {}),
        ...(input.paths?.length ? { paths: input.paths } : {}),
      };
      const granular = Object.keys(revocation).length > 0;
      const who = callers
        .map(c => `${c.namespace}/${c.serviceAccount}`)
        .join(', ');
      const scope = granular ? describeRevocation(revocation) : 'any request';
      const base = {
        namespace: workload.namespace,
        targetLabels: workload.labels,
        selectorLabels: selectorLabels(workload.labels),
        targetName: workload.name,
      };
      const linkerdChange = linkerdChangeFor(workload, ports, callers);
      await executePlan(ctx, deps, {
        kind: 'revoke',
        target,
        repository,
        path,
        identity: granular
          ? [
              callers.map(c => c.principal).sort(),
              input.ports ?? [],
              input.methods ?? [],
              input.paths ?? [],
            ]
          : callers.map(c => c.principal).sort(),
        title: `revoke ${granular ? `${scope} of ` : 'access of '}${who} to ${
          workload.namespace
        }/${workload.name}`,
        callers,
        ports,
        justification: input.justification,
        unchangedReason: `nothing to revoke: ${path} grants ${who} no ${
          granular ? scope : 'access'
        } to ${workload.namespace}/${workload.name}`,
        probe: { callers, methods: input.methods, paths: input.paths },
        evidence: grantUsageEvidence(workload, callers, ports).lines,
        edit: (docs, report) => {
          if (linkerd && perRoute)
            return removeLinkerdRouteAccess(
              docs,
              {
                ...linkerdChange,
                methods: input.methods,
                paths: input.paths,
                portsExplicit: Boolean(input.ports?.length),
                path,
              },
              target.trustDomain,
              report.removed,
            );
          if (linkerd)
            return removeLinkerdAccess(
              docs,
              linkerdChange,
              target.trustDomain,
              report.removed,
            );
          const principals = callers.map(c => c.principal);
          return granular
            ? revokeIstioRequests(
                docs,
                { ...base, principals, revocation },
                report.removed,
              )
            : removeIstioAccess(docs, { ...base, principals }, report.removed);
        },
      });
    },
  });
}
