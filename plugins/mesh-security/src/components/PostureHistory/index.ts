export { PostureTimeline } from './PostureTimeline';
export { PostureTrend } from './PostureTrend';
