export { PolicyList, uniquePolicies } from './PolicyList';
