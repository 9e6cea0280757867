/**
 * Mesh Security frontend plugin: mTLS status card, Security tab and platform overview page.
 *
 * @packageDocumentation
 */
export {
  meshSecurityPlugin,
  MeshSecurityPage,
  EntityMeshSecurityCard,
  EntityMeshSecurityContent,
} from './plugin';
export { isMeshSecurityAvailable } from './conditions';
export * from './api';
