import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { ThemeProvider, Typography } from '@material-ui/core';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { headingTheme } from '../headingTheme';

const example = `metadata:
  annotations:
    ${KUBERNETES_ANNOTATION}: my-service
    # or select the workloads' pods by label:
    # ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}: app=my-service`;

/**
 * The empty state of entities that are not tied to Kubernetes workloads; its title is a
 * heading of `headingLevel` (2 on the tab, right under the page title; 3 in the card).
 */
export const MissingAnnotations = ({
  headingLevel = 2,
}: {
  headingLevel?: 2 | 3;
}) => (
  <ThemeProvider theme={headingTheme('h5', headingLevel)}>
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
  </ThemeProvider>
);
