export { RequestAccessButton } from './RequestAccess';
export {
  requestAccessUrl,
  accessPullRequestsUrl,
  pullRequestsSearchUrl,
} from './requestAccess';
