export { EntityMeshSecurityCard } from './EntityMeshSecurityCard';
