export { WorkloadDetails } from './WorkloadDetails';
