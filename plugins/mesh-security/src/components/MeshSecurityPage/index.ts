export { MeshSecurityPage } from './MeshSecurityPage';
