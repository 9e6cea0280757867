export { OverviewTable } from './OverviewTable';
export type { OverviewTableRef } from './OverviewTable';
