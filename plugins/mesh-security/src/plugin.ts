import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MeshSecurityClient } from '@mesh-security/plugin-mesh-security-common';
import { meshSecurityApiRef } from './api';
import { entityContentRouteRef, rootRouteRef } from './routes';

/**
 * The Mesh Security frontend plugin (legacy frontend system).
 *
 * @public
 */
export const meshSecurityPlugin = createPlugin({
  id: 'mesh-security',
  apis: [
    createApiFactory({
      api: meshSecurityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MeshSecurityClient(deps),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * Catalog-wide posture page for the platform team.
 *
 * @public
 */
export const MeshSecurityPage = meshSecurityPlugin.provide(
  createRoutableExtension({
    name: 'MeshSecurityPage',
    component: () =>
      import('./components/MeshSecurityPage').then(m => m.MeshSecurityPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Overview card for an entity page.
 *
 * @public
 */
export const EntityMeshSecurityCard = meshSecurityPlugin.provide(
  createComponentExtension({
    name: 'EntityMeshSecurityCard',
    component: {
      lazy: () =>
        import('./components/EntityMeshSecurityCard').then(
          m => m.EntityMeshSecurityCard,
        ),
    },
  }),
);

/**
 * The "Security" tab for an entity page.
 *
 * @public
 */
export const EntityMeshSecurityContent = meshSecurityPlugin.provide(
  createRoutableExtension({
    name: 'EntityMeshSecurityContent',
    component: () =>
      import('./components/EntityMeshSecurityContent').then(
        m => m.EntityMeshSecurityContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);
