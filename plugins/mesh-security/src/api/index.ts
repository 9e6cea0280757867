export { meshSecurityApiRef } from './MeshSecurityApi';
export type { MeshSecurityApi, MeshSecurityHealth } from './MeshSecurityApi';
export { MeshSecurityClient } from './MeshSecurityClient';
