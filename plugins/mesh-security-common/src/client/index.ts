export { MeshSecurityClient } from './MeshSecurityClient';
export type {
  MeshSecurityApi,
  MeshSecurityRequestOptions,
} from './MeshSecurityApi';
