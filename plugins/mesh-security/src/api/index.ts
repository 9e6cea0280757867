export { meshSecurityApiRef } from './MeshSecurityApi';
