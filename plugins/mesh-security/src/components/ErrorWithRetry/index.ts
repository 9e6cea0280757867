export { ErrorWithRetry } from './ErrorWithRetry';
