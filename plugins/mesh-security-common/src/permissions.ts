import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Mesh Security's permissions. Every posture answer is additionally limited to entities the
 * caller may read (`catalog.entity.read`, decided by the permission framework with the caller's
 * own credentials), so these permissions only ever narrow what a user sees. docs/backend.md
 * "Permissions" lists which route and field needs which.
 */

/**
 * The platform view: the catalog-wide posture overview (`GET /overview`), the details of cluster
 * errors (server addresses, paths) in every answer, and `POST /check` on workloads that no
 * catalog entity owns.
 *
 * @public
 */
export const meshSecurityOverviewReadPermission = createPermission({
  name: 'mesh-security.overview.read',
  attributes: { action: 'read' },
});

/**
 * View one entity's posture: `GET /entity/...`, its row in the overview, `POST /check` on it or
 * on a workload it owns, and the scaffolder actions naming it. A resource permission on catalog
 * entities, so a policy can decide per entity (e.g. with the catalog's `isEntityOwner` rule).
 *
 * @public
 */
export const meshSecurityEntityReadPermission = createPermission({
  name: 'mesh-security.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

/**
 * Run the access check (`POST /check`).
 *
 * @public
 */
export const meshSecurityAccessCheckPermission = createPermission({
  name: 'mesh-security.access.check',
  attributes: { action: 'read' },
});

/**
 * Request, revoke or enforce access changes through the scaffolder actions (checked with the
 * requesting user's credentials, together with the entity reads of the target and the callers,
 * before anything is read or written).
 *
 * @public
 */
export const meshSecurityAccessRequestPermission = createPermission({
  name: 'mesh-security.access.request',
  attributes: { action: 'create' },
});

/**
 * Every Mesh Security permission, for registration with the permissions registry.
 *
 * @public
 */
export const meshSecurityPermissions = [
  meshSecurityOverviewReadPermission,
  meshSecurityEntityReadPermission,
  meshSecurityAccessCheckPermission,
  meshSecurityAccessRequestPermission,
];
