import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';

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
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions();
      },
    });
  },
});
