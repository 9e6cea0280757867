export { meshSecurityApiRef } from './MeshSecurityApi';
export type { MeshSecurityHealth } from './MeshSecurityApi';
