import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { z as zod } from 'zod/v3';
import { alreadyAllowed } from '../analysis/impact';
import { addIstioAccess } from '../policy/istio';
import { addLinkerdAccess } from '../policy/linkerd';
import { addLinkerdRouteAccess } from '../policy/linkerdRoutes';
import { routeMatchesFor } from '../policy/linkerdRouteMatches';
import { EntityWorkload } from '@mesh-security/plugin-mesh-security-common';
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
  expirySchema,
  justificationSchema,
  methodsSchema,
  pathsSchema,
  portsSchema,
  repositorySchema,
  targetSchema,
  safeRequester,
} from '../validation';
import { examples } from './accessRequest.examples';

/** Linkerd Servers selecting the workload in the live cluster, with the port they select. */
function liveServers(
  workload: EntityWorkload,
): Array<{ name: string; port: number }> {
  return workload.policies
    .filter(p => p.kind === 'Server')
    .map(p => {
      const port = p.manifest.spec.port;
      const number =
        typeof port === 'number'
          ? port
          : workload.ports.find(wp => wp.name === port)?.port;
      return { name: p.name, port: number ?? -1 };
    })
    .filter(s => s.port > 0);
}

/** HTTPRoutes that the workload's live AuthorizationPolicies target (they exist in the cluster). */
function liveRoutes(workload: EntityWorkload): string[] {
  return workload.policies
    .filter(p => p.kind === 'AuthorizationPolicy')
    .map(
      p =>
        p.manifest.spec.targetRef as
          | { kind?: unknown; name?: unknown }
          | undefined,
    )
    .filter(t => t?.kind === 'HTTPRoute' && typeof t.name === 'string')
    .map(t => String(t!.name));
}

/** Input schema of `mesh-security:access:request`. */
export const accessRequestInput = (z: typeof zod) =>
  z.object({
    target: targetSchema(z),
    callers: z
      .array(callerSchema(z))
      .min(1)
      .max(20)
      .describe('Who needs access'),
    ports: portsSchema(z),
    methods: methodsSchema(z),
    paths: pathsSchema(z),
    justification: justificationSchema(z),
    expiry: expirySchema(z),
    cluster: clusterSchema(z),
    repository: repositorySchema(z),
  });

/**
 * `mesh-security:access:request`: opens (or joins) a pull request that lets callers reach a
 * component — an Istio AuthorizationPolicy rule, or Linkerd MeshTLSAuthentication identities
 * (per port, or per HTTPRoute when methods or paths are given).
 *
 * @public
 */
export function createAccessRequestAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'mesh-security:access:request',
    description:
      'Requests access to a component for callers through a reviewed pull request against the GitOps repository.',
    examples,
    supportsDryRun: true,
    schema: { input: accessRequestInput, output: changeOutputSchema },
    async handler(ctx) {
      const input = accessRequestInput(zod).parse(ctx.input);
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
          `${input.target} is not in a service mesh; access is not enforced by identity there`,
        );
      const callers = await resolveCallers(deps.client, input.callers, target);
      const repository = resolveRepository(deps.config, input.repository);
      const path = await resolvePolicyPath(deps.client, target, deps.config);
      const ports = input.ports?.length
        ? input.ports
        : workload.ports.map(p => p.port);
      const unknownPort = ports.find(
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
      // Refuses what an HTTPRoute cannot express (suffix paths) before anything is read.
      if (linkerd && perRoute) routeMatchesFor(input.methods, input.paths);
      const comment = `access for ${callers
        .map(c => `${c.namespace}/${c.serviceAccount}`)
        .join(', ')} requested by ${safeRequester(ctx.user?.ref)}${
        input.expiry ? `, expires ${input.expiry}` : ''
      }`;
      const probe = { callers, methods: input.methods, paths: input.paths };
      const base = {
        namespace: workload.namespace,
        targetLabels: workload.labels,
        selectorLabels: selectorLabels(workload.labels),
        targetName: workload.name,
        comment,
      };
      await executePlan(ctx, deps, {
        kind: 'request',
        target,
        repository,
        path,
        identity: [
          callers.map(c => c.principal).sort(),
          input.ports ?? [],
          input.methods ?? [],
          input.paths ?? [],
        ],
        title: `allow ${callers
          .map(c => `${c.namespace}/${c.serviceAccount}`)
          .join(', ')} to call ${workload.namespace}/${workload.name}${
          input.ports?.length ? ` on ${input.ports.join(', ')}` : ''
        }`,
        callers,
        ports,
        justification: input.justification,
        expiry: input.expiry,
        // A new HTTPRoute must never take requests from existing callers: the engine's
        // before/after is checked on top of the structural guards of linkerdRoutes.ts.
        mustKeepCallers: linkerd && perRoute,
        edit: (docs, report) => {
          const linkerdChange = {
            ...linkerdChangeFor(workload, ports, callers),
            comment,
            serversElsewhere: liveServers(workload),
          };
          if (linkerd && perRoute)
            return addLinkerdRouteAccess(
              docs,
              {
                ...linkerdChange,
                methods: input.methods,
                paths: input.paths,
                portsExplicit: Boolean(input.ports?.length),
                routesElsewhere: liveRoutes(workload),
                path,
              },
              target.trustDomain,
              report.notes,
            );
          return linkerd
            ? addLinkerdAccess(docs, linkerdChange, target.trustDomain)
            : addIstioAccess(docs, {
                ...base,
                principals: callers.map(c => c.principal),
                operation: {
                  ports: input.ports?.map(String),
                  methods: input.methods,
                  paths: input.paths,
                },
              });
        },
        probe,
        alreadyInEffect: engine =>
          alreadyAllowed(
            engine,
            { cluster: target.cluster, target: workload, callers },
            probe,
            ports,
          ),
      });
    },
  });
}
