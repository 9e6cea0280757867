export { AccessGraph } from './AccessGraph';
