export { GitopsRepositoryField } from './GitopsRepositoryField';
export type { GitopsRepositoryFieldProps } from './GitopsRepositoryField';
