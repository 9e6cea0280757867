export { AccessChangePullRequestsCard } from './AccessChangePullRequests';
