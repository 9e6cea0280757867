import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  MESH_SECURITY_FACT_RETRIEVER_ID,
  meshSecurityFactRetriever,
} from './meshSecurityFactRetriever';

/**
 * Adds the Mesh Security fact retriever to Tech Insights. Tech Insights schedules it from
 * `techInsights.factRetrievers.meshSecurityFactRetriever` (cadence, lifecycle); without that
 * entry it never runs, which this module says at startup.
 *
 * @public
 */
export const techInsightsModuleMeshSecurity = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'mesh-security',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        retrievers: techInsightsFactRetrieversExtensionPoint,
      },
      async init({ config, logger, retrievers }) {
        retrievers.addFactRetrievers({
          [MESH_SECURITY_FACT_RETRIEVER_ID]: meshSecurityFactRetriever,
        });
        if (
          !config.has(
            `techInsights.factRetrievers.${MESH_SECURITY_FACT_RETRIEVER_ID}.cadence`,
          )
        ) {
          logger.warn(
            `Mesh Security facts are not scheduled: set techInsights.factRetrievers.${MESH_SECURITY_FACT_RETRIEVER_ID}.cadence (e.g. '*/15 * * * *')`,
          );
        }
      },
    });
  },
});
