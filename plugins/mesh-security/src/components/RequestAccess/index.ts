export { RequestAccessButton } from './RequestAccess';
export {
  requestAccessUrl,
  accessPullRequestsUrl,
  pullRequestsSearchUrl,
  GITOPS_REPO_ANNOTATION,
} from './requestAccess';
