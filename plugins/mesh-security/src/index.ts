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
export { MtlsBadge } from './components/MtlsBadge';
export type { MtlsBadgeProps } from './components/MtlsBadge';
export {
  requestAccessUrl,
  accessPullRequestsUrl,
} from './components/RequestAccess';
export { GitopsRepositoryField } from './components/GitopsRepositoryField';
export type { GitopsRepositoryFieldProps } from './components/GitopsRepositoryField';
export { ImpactPreviewField } from './components/ImpactPreviewField';
export type { ImpactPreviewFieldProps } from './components/ImpactPreviewField';
