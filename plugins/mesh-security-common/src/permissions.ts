import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Mesh Security's permissions. Every posture answer is additionally limited to entities the
 * caller may read (`catalog.entity.read`, checked through the catalog with the caller's own
 * credentials), so these permissions only ever narrow what a user sees.
 */

/**
 * View the catalog-wide posture overview (`GET /overview`).
 *
 * @public
 */
export const meshSecurityOverviewReadPermission = createPermission({
  name: 'mesh-security.overview.read',
  attributes: { action: 'read' },
});

/**
 * View one entity's posture (`GET /entity/...`). A resource permission on catalog entities, so
 * a policy can decide per entity (e.g. with the catalog's `isEntityOwner` rule).
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
 * requesting user's credentials before a pull request is opened).
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
