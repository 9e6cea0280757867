export { RequestAccessButton, AccessPullRequests } from './RequestAccess';
export {
  requestAccessUrl,
  accessPullRequestsUrl,
  GITOPS_REPO_ANNOTATION,
} from './requestAccess';
