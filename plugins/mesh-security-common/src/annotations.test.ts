import {
  GITOPS_REPO_ANNOTATION,
  KUBERNETES_NAMESPACE_ANNOTATION,
  MESH_SECURITY_ANNOTATION_PREFIX,
  POLICY_PATH_ANNOTATION,
} from './annotations';

// The names users write in catalog-info.yaml (README, docs/backend.md, docs/scaffolder.md):
// renaming one breaks every catalog that uses it.
describe('annotations', () => {
  it.each([
    [GITOPS_REPO_ANNOTATION, 'mesh-security.io/gitops-repo'],
    [POLICY_PATH_ANNOTATION, 'mesh-security.io/policy-path'],
    [KUBERNETES_NAMESPACE_ANNOTATION, 'backstage.io/kubernetes-namespace'],
  ])('%s', (annotation, name) => {
    expect(annotation).toBe(name);
  });

  it('keeps our own under one prefix', () => {
    for (const annotation of [GITOPS_REPO_ANNOTATION, POLICY_PATH_ANNOTATION])
      expect(annotation.startsWith(MESH_SECURITY_ANNOTATION_PREFIX)).toBe(true);
  });
});
