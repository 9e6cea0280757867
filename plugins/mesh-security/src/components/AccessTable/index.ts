export { AccessTable, accessRows } from './AccessTable';
