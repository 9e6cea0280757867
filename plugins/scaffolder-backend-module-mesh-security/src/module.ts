import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createAccessRequestAction } from './actions/accessRequest';
import { createAccessRevokeAction } from './actions/accessRevoke';
import { createMtlsEnforceAction } from './actions/mtlsEnforce';
import { readAccessRequestsConfig } from './config';
import { MeshSecurityClient } from './service/MeshSecurityClient';

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
      },
      async init({ scaffolder, config, discovery, auth, permissions }) {
        const deps = {
          config: readAccessRequestsConfig(config),
          integrations: ScmIntegrations.fromConfig(config),
          client: new MeshSecurityClient({ discovery, auth }),
          permissions,
        };
        scaffolder.addActions(
          createAccessRequestAction(deps),
          createAccessRevokeAction(deps),
          createMtlsEnforceAction(deps),
        );
      },
    });
  },
});
