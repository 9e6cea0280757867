export { MtlsBadge, MTLS_MODE_DESCRIPTIONS, mtlsModeColor } from './MtlsBadge';
export type { MtlsBadgeProps } from './MtlsBadge';
