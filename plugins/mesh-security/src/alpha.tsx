/**
 * Mesh Security for Backstage's new frontend system.
 *
 * @packageDocumentation
 */
import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRefs } from '@backstage/core-compat-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import SecurityIcon from '@material-ui/icons/Security';
import { MeshSecurityClient } from '@mesh-security/plugin-mesh-security-common';
import { meshSecurityApiRef } from './api';
import { isMeshSecurityAvailable } from './conditions';
import { rootRouteRef } from './routes';

const routes = convertLegacyRouteRefs({ root: rootRouteRef });

/** The API client, built on discovery and the authenticated fetch API. */
const meshSecurityApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: meshSecurityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new MeshSecurityClient(deps),
    }),
});

/** The platform overview page at /mesh-security. */
const meshSecurityPage = PageBlueprint.make({
  params: {
    path: '/mesh-security',
    title: 'Mesh Security',
    icon: <SecurityIcon />,
    routeRef: routes.root,
    loader: () =>
      import('./components/MeshSecurityPage').then(m => <m.MeshSecurityPage />),
  },
});

/**
 * The overview card on component pages; without Kubernetes annotations it shows which one to
 * add.
 */
const meshSecurityEntityCard = EntityCardBlueprint.make({
  params: {
    filter: 'kind:component',
    loader: () =>
      import('./components/EntityMeshSecurityCard').then(m => (
        <m.EntityMeshSecurityCard />
      )),
  },
});

/** The "Security" tab on entity pages that carry Kubernetes annotations. */
const meshSecurityEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'mesh-security',
    title: 'Security',
    filter: isMeshSecurityAvailable,
    loader: () =>
      import('./components/EntityMeshSecurityContent').then(m => (
        <m.EntityMeshSecurityContent />
      )),
  },
});

/**
 * The Mesh Security plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mesh-security',
  title: 'Mesh Security',
  icon: <SecurityIcon />,
  routes,
  extensions: [
    meshSecurityApi,
    meshSecurityPage,
    meshSecurityEntityCard,
    meshSecurityEntityContent,
  ],
});
