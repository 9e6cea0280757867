import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createRouter } from './router';

/**
 * The Mesh Security backend plugin (`pluginId: mesh-security`).
 *
 * @public
 */
export const meshSecurityPlugin = createBackendPlugin({
  pluginId: 'mesh-security',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ httpRouter, httpAuth }) {
        httpRouter.use(await createRouter({ httpAuth }));
      },
    });
  },
});
