import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { Typography } from '@material-ui/core';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

const example = `metadata:
  annotations:
    ${KUBERNETES_ANNOTATION}: my-service
    # or select the workloads' pods by label:
    # ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}: app=my-service`;

/** The empty state of entities that are not tied to Kubernetes workloads. */
export const MissingAnnotations = () => (
  <EmptyState
    missing="field"
    title="No Kubernetes workloads for this entity"
    description={
      <Typography component="span" variant="body2">
        Mesh security reads the same annotations as the Kubernetes plugin. Add{' '}
        <code>{KUBERNETES_ANNOTATION}</code> (or{' '}
        <code>{KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}</code>) to the
        entity&apos;s catalog-info.yaml.
      </Typography>
    }
    action={<CodeSnippet language="yaml" text={example} showCopyCodeButton />}
  />
);
