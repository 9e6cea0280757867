import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createAccessRequestAction } from './actions/accessRequest';
import { createAccessRevokeAction } from './actions/accessRevoke';
import { createMtlsEnforceAction } from './actions/mtlsEnforce';
import { readAccessRequestsConfig } from './config';
import { MeshSecurityClient } from '@mesh-security/plugin-mesh-security-common';
import { EntityReader } from './service/EntityReader';
import { createPreviewHandler } from './service/preview';

/**
 * Registers the Mesh Security template actions with the scaffolder.
 *
 * @public
 */
export const meshSecurityScaffolderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mesh-security',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        catalog: catalogServiceRef,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
      },
      async init({
        scaffolder,
        config,
        discovery,
        auth,
        permissions,
        catalog,
        httpRouter,
        httpAuth,
        logger,
      }) {
        const deps = {
          config: readAccessRequestsConfig(config),
          integrations: ScmIntegrations.fromConfig(config),
          client: new EntityReader({
            meshSecurity: new MeshSecurityClient({ discoveryApi: discovery }),
            catalog,
            auth,
          }),
          permissions,
        };
        scaffolder.addActions(
          createAccessRequestAction(deps),
          createAccessRevokeAction(deps),
          createMtlsEnforceAction(deps),
        );
        // The impact preview of the templates' last step: the actions in dry-run mode.
        httpRouter.use(createPreviewHandler({ deps, httpAuth, logger }));
      },
    });
  },
});
