export { StrictRollout } from './StrictRollout';
