import { CodeSnippet, EmptyState } from '@backstage/core-components';
import { Theme, ThemeProvider, Typography } from '@material-ui/core';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

const example = `metadata:
  annotations:
    ${KUBERNETES_ANNOTATION}: my-service
    # or select the workloads' pods by label:
    # ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}: app=my-service`;

/**
 * Backstage's `EmptyState` draws its title as an `h5`; inside, that variant maps to the level
 * the place needs, so no heading level is skipped (axe `heading-order`).
 */
const headingAt = (level: 2 | 3) => (outer: Theme) => ({
  ...outer,
  props: {
    ...outer.props,
    MuiTypography: {
      ...outer.props?.MuiTypography,
      variantMapping: {
        h1: 'h1',
        h2: 'h2',
        h3: 'h3',
        h4: 'h4',
        h5: `h${level}`,
        h6: 'h6',
        subtitle1: 'h6',
        subtitle2: 'h6',
        body1: 'p',
        body2: 'p',
      },
    },
  },
});

/**
 * The empty state of entities that are not tied to Kubernetes workloads; its title is a
 * heading of `headingLevel` (2 on the tab, right under the page title; 3 in the card).
 */
export const MissingAnnotations = ({
  headingLevel = 2,
}: {
  headingLevel?: 2 | 3;
}) => (
  <ThemeProvider theme={headingAt(headingLevel)}>
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
