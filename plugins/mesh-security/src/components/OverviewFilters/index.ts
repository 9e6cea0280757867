export { OverviewFilters } from './OverviewFilters';
export type { OverviewFilterValues } from './OverviewFilters';
