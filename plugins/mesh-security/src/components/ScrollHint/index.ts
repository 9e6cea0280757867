export { WithScrollHint } from './ScrollHint';
