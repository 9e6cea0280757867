import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { z as zod } from 'zod/v3';
import { policyPath } from '../config';
import { enforceStrictMtls } from '../policy/peerAuthentication';
import { ActionDeps, authorizeRequest, executePlan } from '../service/execute';
import {
  checkPolicyPath,
  resolveRepository,
  resolveTarget,
  selectorLabels,
} from '../service/resolve';
import {
  changeOutputSchema,
  clusterSchema,
  justificationSchema,
  repositorySchema,
  targetSchema,
  safeRequester,
} from '../validation';
import { examples } from './mtlsEnforce.examples';

/** Input schema of `mesh-security:mtls:enforce`. */
export const mtlsEnforceInput = (z: typeof zod) =>
  z.object({
    target: targetSchema(z),
    scope: z
      .enum(['workload', 'namespace'])
      .default('workload')
      .describe("The component's workload, or its whole namespace"),
    justification: justificationSchema(z),
    cluster: clusterSchema(z),
    repository: repositorySchema(z),
  });

/**
 * `mesh-security:mtls:enforce`: opens a pull request setting an Istio PeerAuthentication to
 * STRICT for the component's workload or namespace; the impact lists the plaintext callers that
 * would break.
 *
 * @public
 */
export function createMtlsEnforceAction(deps: ActionDeps) {
  return createTemplateAction({
    id: 'mesh-security:mtls:enforce',
    description:
      'Enforces STRICT mTLS (Istio PeerAuthentication) for a component or its namespace through a reviewed pull request.',
    examples,
    supportsDryRun: true,
    schema: { input: mtlsEnforceInput, output: changeOutputSchema },
    async handler(ctx) {
      const input = mtlsEnforceInput(zod).parse(ctx.input);
      await authorizeRequest(ctx, deps.permissions, [input.target]);
      const target = await resolveTarget(
        deps.client,
        input.target,
        input.cluster,
      );
      const { workload } = target;
      if (
        workload.mesh !== 'istio-sidecar' &&
        workload.mesh !== 'istio-ambient'
      ) {
        throw new InputError(
          `${input.target} runs in mesh "${workload.mesh}"; this action writes Istio PeerAuthentications (for Linkerd set the default inbound policy to all-authenticated or add Servers with MeshTLSAuthentication)`,
        );
      }
      const repository = resolveRepository(deps.config, input.repository);
      const namespaceWide = input.scope === 'namespace';
      const path = checkPolicyPath(
        policyPath(deps.config.mtlsPathTemplate, {
          cluster: target.cluster,
          namespace: workload.namespace,
          name: namespaceWide ? 'namespace' : target.name,
        }),
        deps.config.policyPathPrefix,
        'meshSecurity.accessRequests.mtlsPathTemplate',
      );
      await executePlan(ctx, deps, {
        kind: 'enforce',
        target,
        repository,
        path,
        identity: [input.scope],
        title: `enforce STRICT mTLS for ${
          namespaceWide
            ? `namespace ${workload.namespace}`
            : `${workload.namespace}/${workload.name}`
        }`,
        callers: [],
        ports: workload.ports.map(p => p.port),
        justification: input.justification,
        edit: docs =>
          enforceStrictMtls(docs, {
            namespace: workload.namespace,
            name: `${workload.name}-strict`,
            ...(namespaceWide
              ? {}
              : { selectorLabels: selectorLabels(workload.labels) }),
            comment: `STRICT mTLS requested by ${safeRequester(ctx.user?.ref)}`,
          }),
      });
    },
  });
}
