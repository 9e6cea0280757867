import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { z as zod } from 'zod/v3';
import { removeIstioAccess } from '../policy/istio';
import { removeLinkerdAccess } from '../policy/linkerd';
import { ActionDeps, authorizeRequest, executePlan } from '../service/execute';
import {
  resolveCallers,
  resolvePolicyPath,
  resolveRepository,
  resolveTarget,
  selectorLabels,
} from '../service/resolve';
import {
  callerSchema,
  changeOutputSchema,
  clusterSchema,
  justificationSchema,
  repositorySchema,
  targetSchema,
} from '../validation';
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
    justification: justificationSchema(z),
    cluster: clusterSchema(z),
    repository: repositorySchema(z),
  });

/**
 * `mesh-security:access:revoke`: opens a pull request removing every grant of the callers in the
 * target's policy file (Istio principals in ALLOW rules, Linkerd MeshTLSAuthentication identities).
 *
 * @public
 */
export function createAccessRevokeAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'mesh-security:access:revoke',
    description:
      "Removes callers' access to a component through a reviewed pull request against the GitOps repository.",
    examples,
    supportsDryRun: true,
    schema: { input: accessRevokeInput, output: changeOutputSchema },
    async handler(ctx) {
      const input = accessRevokeInput(zod).parse(ctx.input);
      await authorizeRequest(ctx, deps.permissions);
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
      const callers = await resolveCallers(deps.client, input.callers, target);
      const repository = resolveRepository(deps.config, input.repository);
      const path = await resolvePolicyPath(
        deps.client,
        target,
        deps.config.pathTemplate,
      );
      const ports = workload.ports.map(p => p.port);
      const base = {
        namespace: workload.namespace,
        targetLabels: workload.labels,
        selectorLabels: selectorLabels(workload.labels),
        targetName: workload.name,
      };
      await executePlan(ctx, deps, {
        kind: 'revoke',
        target,
        repository,
        path,
        identity: callers.map(c => c.principal).sort(),
        title: `revoke access of ${callers
          .map(c => `${c.namespace}/${c.serviceAccount}`)
          .join(', ')} to ${workload.namespace}/${workload.name}`,
        callers,
        ports,
        justification: input.justification,
        edit: docs =>
          workload.mesh === 'linkerd'
            ? removeLinkerdAccess(
                docs,
                {
                  ...base,
                  ports: workload.ports.map(p => ({
                    port: p.port,
                    name: p.name,
                  })),
                  callers: callers.map(c => ({
                    namespace: c.namespace,
                    name: c.serviceAccount,
                  })),
                },
                target.trustDomain,
              )
            : removeIstioAccess(docs, {
                ...base,
                principals: callers.map(c => c.principal),
              }),
      });
    },
  });
}
