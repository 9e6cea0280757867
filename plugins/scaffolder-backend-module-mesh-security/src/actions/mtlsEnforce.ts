import { InputError } from '@backstage/errors';
import { formatTrafficWindow } from '@mesh-security/plugin-mesh-security-common';
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
import { plaintextEvidence } from '../service/trafficEvidence';
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
    allowObservedPlaintext: z
      .boolean()
      .default(false)
      .describe(
        'Enforce even though the mesh observed plaintext to the workload in the evidence window (those callers will be refused)',
      ),
    cluster: clusterSchema(z),
    repository: repositorySchema(z),
  });

/**
 * `mesh-security:mtls:enforce`: opens a pull request setting an Istio PeerAuthentication to
 * STRICT for the component's workload or namespace; the impact lists the plaintext callers that
 * would break and the plaintext the mesh observed in the evidence window, and the action refuses
 * when plaintext was observed unless `allowObservedPlaintext` is set (docs/traffic.md).
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
      const evidence = plaintextEvidence(workload);
      if (evidence.plaintext > 0 && !input.allowObservedPlaintext) {
        const window = formatTrafficWindow(
          workload.observed.observations.windows.evidenceSeconds,
        );
        throw new InputError(
          `${workload.namespace}/${workload.name} accepted ${
            evidence.plaintext
          } plaintext request(s) or connection(s) in the last ${window} (from ${
            evidence.plaintextSources.join(', ') || 'unknown sources'
          }); STRICT mTLS would refuse them. Bring these callers into the mesh first, or set allowObservedPlaintext: true ("Enforce despite observed plaintext") to open the pull request anyway; nothing was written`,
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
        evidence: [
          ...(namespaceWide
            ? [
                `Observed for ${workload.namespace}/${workload.name} only; the other workloads of the namespace are not shown here (see their Security tabs).`,
              ]
            : []),
          ...evidence.lines,
          ...(evidence.plaintext > 0
            ? [
                `**Enforced despite observed plaintext** (allowObservedPlaintext): the sources above will be refused.`,
              ]
            : []),
        ],
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
