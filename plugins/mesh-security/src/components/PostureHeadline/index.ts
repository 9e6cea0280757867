export { PostureHeadline, postureLead, worstFinding } from './PostureHeadline';
export type { PostureLead } from './PostureHeadline';
