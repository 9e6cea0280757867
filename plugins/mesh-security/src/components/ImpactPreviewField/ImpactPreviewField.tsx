import { Link, Progress, WarningPanel } from '@backstage/core-components';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/core-plugin-api';
import {
  Box,
  FormControl,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from '@material-ui/core';
import {
  ACCESS_CHANGE_ACTIONS,
  AccessChangePreview,
  AccessChangePreviewRequest,
} from '@mesh-security/plugin-mesh-security-common';
import { useEffect, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';

type ActionId = AccessChangePreviewRequest['action'];

/** The form fields each action's preview sends (the template parameters named as the inputs). */
const INPUT_KEYS: Record<ActionId, string[]> = {
  'mesh-security:access:request': [
    'target',
    'callers',
    'ports',
    'methods',
    'paths',
    'cluster',
    'repository',
  ],
  'mesh-security:access:revoke': [
    'target',
    'callers',
    'ports',
    'methods',
    'paths',
    'cluster',
    'repository',
  ],
  'mesh-security:mtls:enforce': [
    'target',
    'scope',
    'allowObservedPlaintext',
    'cluster',
    'repository',
  ],
};

/**
 * Props of {@link ImpactPreviewField}: the part of the scaffolder's field extension props it
 * reads, so the component can be registered with `createScaffolderFieldExtension`.
 *
 * @public
 */
export interface ImpactPreviewFieldProps {
  /** The field's value: the impact in words, which the review step lists (set by the field). */
  formData?: string;
  /** Called with the value the review step shows. */
  onChange: (value: string | undefined) => void;
  /** The scaffolder's form context: the values of every step so far. */
  formContext?: { formData?: Record<string, unknown> };
  /** The field's schema; its `title` heads the field. */
  schema?: { title?: string };
  /** `ui:options.action`: the template step's action (default: the access request). */
  uiSchema?: { 'ui:options'?: { [key: string]: unknown } };
}

/** The action's input from the form: its fields, without empty values and empty lists. */
function previewInput(
  action: ActionId,
  formData: Record<string, unknown>,
): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const key of INPUT_KEYS[action]) {
    let value = formData[key];
    if (Array.isArray(value)) {
      value = value.filter(v => v !== undefined && v !== null && v !== '');
      if ((value as unknown[]).length === 0) continue;
    }
    if (value === undefined || value === null || value === '') continue;
    input[key] = value;
  }
  return input;
}

/** What is missing before an impact can be computed, in words; undefined when nothing is. */
function missingInput(
  action: ActionId,
  input: Record<string, unknown>,
): string | undefined {
  if (!input.target) return 'Pick the component first: its impact shows here.';
  if (action !== 'mesh-security:mtls:enforce' && !input.callers)
    return 'Pick the callers first: the impact shows here.';
  return undefined;
}

/** The message of an error answer (`{ error: { message } }`), else the status. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: the status says it
  }
  return `the scaffolder backend answered ${response.status}`;
}

/** The action refuses the change (its input error, 400): computed, and not allowed. */
class Refusal extends Error {}

/** The error of a failed answer: a {@link Refusal} for 400, else a failure to compute. */
async function answerError(response: Response): Promise<Error> {
  const message = await errorMessage(response);
  return response.status === 400 ? new Refusal(message) : new Error(message);
}

const list = (values: string[]) => (values.length ? values.join(', ') : '—');

/** The impact in words, for the review step: one clause per port, and where it goes. */
export function previewSummary(preview: AccessChangePreview): string {
  if (preview.status === 'not-configured') return preview.message;
  const where = preview.repository
    ? ` Opens the pull request in ${preview.repository.url}${
        preview.policyPath ? ` (${preview.policyPath})` : ''
      }.`
    : '';
  if (!preview.changed || preview.rows.length === 0)
    return `${preview.message}.${where}`;
  const ports = preview.rows
    .map(r => `port ${r.port}: ${list(r.before)} → ${list(r.after)}`)
    .join('; ');
  return `${ports}.${where}`;
}

const ImpactTable = ({ preview }: { preview: AccessChangePreview }) => (
  <Table size="small" aria-label="Callers before and after the change">
    <TableHead>
      <TableRow>
        <TableCell component="th" scope="col">
          Port
        </TableCell>
        <TableCell component="th" scope="col">
          Callers before
        </TableCell>
        <TableCell component="th" scope="col">
          Callers after
        </TableCell>
        <TableCell component="th" scope="col">
          Requested (before → after)
        </TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {preview.rows.map(row => (
        <TableRow key={row.port}>
          <TableCell component="th" scope="row">
            {row.port}
          </TableCell>
          <TableCell>{list(row.before)}</TableCell>
          <TableCell>{list(row.after)}</TableCell>
          <TableCell>
            {list(row.requested)}
            {row.blockedByNetworkPolicy.length > 0 && (
              <Typography variant="caption" component="p" color="error">
                Still blocked by a NetworkPolicy:{' '}
                {row.blockedByNetworkPolicy.join(', ')}
              </Typography>
            )}
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

const Preview = ({ preview }: { preview: AccessChangePreview }) => {
  if (preview.status === 'not-configured') {
    return (
      <WarningPanel
        severity="warning"
        title="No GitOps repository is configured: the pull request cannot be opened"
        message={preview.message}
      />
    );
  }
  return (
    <Box>
      {preview.repository && (
        <Typography variant="body2" paragraph>
          Opens the pull request in{' '}
          <Link underline="always" to={preview.repository.url}>
            {preview.repository.url}
          </Link>
          {preview.policyPath && (
            <>
              , file <code>{preview.policyPath}</code>
            </>
          )}
        </Typography>
      )}
      {preview.changed && preview.rows.length > 0 ? (
        <ImpactTable preview={preview} />
      ) : (
        <Typography variant="body2">{preview.message}</Typography>
      )}
      {preview.findings.length > 0 && (
        <WarningPanel
          severity="warning"
          title={`The change introduces ${preview.findings.length} finding(s)`}
          message={preview.findings
            .map(f => `${f.code} (${f.severity}): ${f.message}`)
            .join('\n')}
        />
      )}
      {preview.warnings.map(w => (
        <Typography key={w} variant="body2" color="error">
          {w}
        </Typography>
      ))}
    </Box>
  );
};

/**
 * A scaffolder form field (`ui:field: MeshSecurityImpactPreview`) for the last step of the
 * access-change templates: the impact of the change before it is made — the callers of each
 * port before and after, as the pull request will list them — and the repository it goes to,
 * from the action's own dry run (`POST /api/scaffolder/mesh-security/preview`, with the user's
 * credentials). Its value is the impact in words, so the review step lists it. It never blocks
 * the form; the action decides when the task runs (docs/scaffolder.md "Impact preview").
 *
 * @public
 */
export const ImpactPreviewField = ({
  formData,
  onChange,
  formContext,
  schema,
  uiSchema,
}: ImpactPreviewFieldProps) => {
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const option = uiSchema?.['ui:options']?.action;
  const action: ActionId = ACCESS_CHANGE_ACTIONS.includes(option as ActionId)
    ? (option as ActionId)
    : 'mesh-security:access:request';
  const values = formContext?.formData;
  // Recomputed only when a field of the action's input changes (not with the justification).
  const key = JSON.stringify(previewInput(action, values ?? {}));
  const input = useMemo(
    () => JSON.parse(key) as Record<string, unknown>,
    [key],
  );
  const missing = missingInput(action, input);
  const { value, loading, error } = useAsync(async () => {
    if (missing) return undefined;
    const baseUrl = await discoveryApi.getBaseUrl('scaffolder');
    const body: AccessChangePreviewRequest = { action, input };
    const response = await fetchApi.fetch(`${baseUrl}/mesh-security/preview`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw await answerError(response);
    return (await response.json()) as AccessChangePreview;
  }, [discoveryApi, fetchApi, action, input, missing]);

  let text: string | undefined;
  if (missing) text = missing;
  else if (error instanceof Refusal) text = `Refused: ${error.message}`;
  else if (error) text = `Unknown: ${error.message}`;
  else if (value) text = previewSummary(value);
  useEffect(() => {
    if (!loading && text !== undefined && text !== formData) onChange(text);
  }, [loading, text, formData, onChange]);

  const title = schema?.title ?? 'Impact of the change';
  return (
    <FormControl fullWidth margin="normal">
      <Box component="section" aria-label={title}>
        <Typography variant="subtitle2" component="p">
          {title}
        </Typography>
        {missing && (
          <Typography variant="body2" color="textSecondary">
            {missing}
          </Typography>
        )}
        {!missing && loading && <Progress />}
        {!missing && !loading && error && (
          <WarningPanel
            severity="error"
            title={
              error instanceof Refusal
                ? 'The action refuses this change'
                : 'The impact could not be computed'
            }
            message={error.message}
            defaultExpanded
          />
        )}
        {!missing && !loading && value && <Preview preview={value} />}
      </Box>
    </FormControl>
  );
};
