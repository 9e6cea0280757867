import { Link, Progress, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, FormControl, Typography } from '@material-ui/core';
import { EntityPullRequests } from '@mesh-security/plugin-mesh-security-common';
import { useEffect } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { meshSecurityApiRef } from '../../api';

/**
 * Props of {@link GitopsRepositoryField}: the part of the scaffolder's field extension props it
 * reads, so the component can be registered with `createScaffolderFieldExtension`.
 *
 * @public
 */
export interface GitopsRepositoryFieldProps {
  /** The field's value: the repository's URL, or why there is none (set by the field). */
  formData?: string;
  /** Called with the value the review step shows. */
  onChange: (value: string | undefined) => void;
  /** The scaffolder's form context; `formData.target` is the component the change is for. */
  formContext?: { formData?: Record<string, unknown> };
  /** The field's schema; its `title` heads the field. */
  schema?: { title?: string };
}

/** What the review step shows: the repository, or in words why there is none. */
function gitopsRepositoryText(
  target: string | undefined,
  answer: EntityPullRequests | undefined,
  error: Error | undefined,
): string {
  if (!target) return 'Unknown until a component is picked';
  if (error) return `Unknown: it could not be read (${error.message})`;
  if (!answer) return 'Unknown: not read yet';
  if (answer.status === 'not-configured' || !answer.repository) {
    return `None configured: the pull request cannot be opened${
      answer.message ? ` (${answer.message})` : ''
    }`;
  }
  if (answer.status === 'unsupported-host') {
    return `${answer.repository.url} (not supported: ${
      answer.message ?? 'unsupported host'
    })`;
  }
  return answer.repository.url;
}

/**
 * A scaffolder form field that shows where the access-change pull request will be opened:
 * the component's GitOps repository as the Mesh Security backend resolves it (annotation or
 * configuration), with a warning when none is configured. Its value is that text, so the
 * review step lists it. The field never blocks the form; the action refuses when the
 * repository is missing (docs/scaffolder.md).
 *
 * @public
 */
export const GitopsRepositoryField = ({
  formData,
  onChange,
  formContext,
  schema,
}: GitopsRepositoryFieldProps) => {
  const api = useApi(meshSecurityApiRef);
  const raw = formContext?.formData?.target;
  const target = typeof raw === 'string' && raw ? raw : undefined;
  const { value, loading, error } = useAsync(
    async () => (target ? api.getEntityPullRequests(target) : undefined),
    [api, target],
  );
  const text = loading ? undefined : gitopsRepositoryText(target, value, error);
  useEffect(() => {
    if (text !== undefined && text !== formData) onChange(text);
  }, [text, formData, onChange]);

  const title = schema?.title ?? 'Pull request goes to';
  const configured =
    value?.repository && value.status !== 'not-configured' ? value : undefined;
  return (
    <FormControl fullWidth margin="normal">
      <Typography variant="subtitle2" component="p">
        {title}
      </Typography>
      {loading && <Progress />}
      {!loading && configured?.repository && (
        <Box>
          <Link underline="always" to={configured.repository.url}>
            {configured.repository.url}
          </Link>
          {configured.status === 'unsupported-host' && (
            <WarningPanel
              severity="warning"
              title="This host is not supported: the pull request cannot be opened"
              message={configured.message}
            />
          )}
        </Box>
      )}
      {!loading && !configured?.repository && (
        <WarningPanel severity={target ? 'warning' : 'info'} title={text} />
      )}
    </FormControl>
  );
};
