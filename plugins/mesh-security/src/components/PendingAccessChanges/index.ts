export { PendingAccessChanges } from './PendingAccessChanges';
