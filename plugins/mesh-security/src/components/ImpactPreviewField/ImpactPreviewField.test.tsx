import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AccessChangePreview } from '@mesh-security/plugin-mesh-security-common';
import { screen, waitFor, within } from '@testing-library/react';
import { ImpactPreviewField } from './ImpactPreviewField';

const BASE = 'http://localhost:7007/api/scaffolder';

const preview: AccessChangePreview = {
  status: 'ok',
  changed: true,
  message: 'Dry run: would open a pull request on mesh-security/request/x',
  repository: {
    host: 'github.com',
    owner: 'acme',
    name: 'gitops',
    url: 'https://github.com/acme/gitops',
  },
  policyPath: 'clusters/demo/payments/authorization/payments.yaml',
  rows: [
    {
      port: 8080,
      before: ['storefront/checkout (POST /charge)'],
      after: ['storefront/checkout (POST /charge; GET /status)'],
      added: ['storefront/checkout (POST /charge; GET /status)'],
      removed: ['storefront/checkout (POST /charge)'],
      requested: ['storefront/checkout GET /status: DENY → ALLOW'],
      blockedByNetworkPolicy: [],
    },
  ],
  findings: [],
  warnings: [],
};

/** A body that is not JSON (an HTML error page of a proxy). */
const NOT_JSON = Symbol('not JSON');

/**
 * The network edge: a fetch that records each request and answers with `status` and `body`
 * (an answer that never comes when `body` is `pending`).
 */
function network(answer: { status: number; body: unknown } | 'pending') {
  const requests: Array<{ url: string; method?: string; body: unknown }> = [];
  const fetch = jest.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    requests.push({
      url: String(url),
      method: init?.method,
      body: JSON.parse(String(init?.body)),
    });
    if (answer === 'pending') return new Promise<never>(() => {});
    return {
      ok: answer.status < 400,
      status: answer.status,
      json: async () => {
        if (answer.body === NOT_JSON)
          throw new SyntaxError('Unexpected token <');
        return answer.body;
      },
    } as unknown as Response;
  });
  return { fetch, requests };
}

async function renderField(
  net: ReturnType<typeof network>,
  formData: Record<string, unknown>,
  action?: string,
) {
  const onChange = jest.fn();
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [discoveryApiRef, { getBaseUrl: async () => BASE }],
        [fetchApiRef, { fetch: net.fetch as typeof fetch }],
      ]}
    >
      <ImpactPreviewField
        onChange={onChange}
        formContext={{ formData }}
        schema={{ title: 'Impact of the change' }}
        uiSchema={action ? { 'ui:options': { action } } : undefined}
      />
    </TestApiProvider>,
  );
  return onChange;
}

const form = {
  target: 'component:default/payments-api',
  callers: ['component:default/checkout'],
  ports: [8080],
  methods: ['GET'],
  paths: ['/status'],
  justification: 'Not sent: it is not part of the impact.',
  gitopsRepository: 'https://github.com/acme/gitops',
};

describe('ImpactPreviewField', () => {
  it('asks the dry run with the action input and shows the callers before and after', async () => {
    const net = network({ status: 200, body: preview });
    const onChange = await renderField(net, form);
    const table = await screen.findByRole('table', {
      name: 'Callers before and after the change',
    });
    const row = within(table).getAllByRole('row')[1];
    expect(within(row).getByRole('cell', { name: '8080' })).toBeInTheDocument();
    expect(
      within(row).getByText('storefront/checkout (POST /charge)'),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('storefront/checkout (POST /charge; GET /status)'),
    ).toBeInTheDocument();
    expect(
      within(row).getByText('storefront/checkout GET /status: DENY → ALLOW'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /^https:\/\/github.com\/acme\/gitops/ }),
    ).toBeInTheDocument();
    expect(net.requests).toEqual([
      {
        url: `${BASE}/mesh-security/preview`,
        method: 'POST',
        body: {
          action: 'mesh-security:access:request',
          input: {
            target: 'component:default/payments-api',
            callers: ['component:default/checkout'],
            ports: [8080],
            methods: ['GET'],
            paths: ['/status'],
          },
        },
      },
    ]);
    // The review step lists the impact in words.
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith(
        'port 8080: storefront/checkout (POST /charge) → storefront/checkout (POST /charge; GET /status). Opens the pull request in https://github.com/acme/gitops (clusters/demo/payments/authorization/payments.yaml).',
      ),
    );
  });

  it('sends the enforce action its own input', async () => {
    const net = network({ status: 200, body: { ...preview, rows: [] } });
    await renderField(
      net,
      { target: 'component:default/checkout', scope: 'namespace' },
      'mesh-security:mtls:enforce',
    );
    await waitFor(() => expect(net.requests).toHaveLength(1));
    expect(net.requests[0].body).toEqual({
      action: 'mesh-security:mtls:enforce',
      input: { target: 'component:default/checkout', scope: 'namespace' },
    });
  });

  it('waits for the component and callers before asking anything', async () => {
    const net = network({ status: 200, body: preview });
    const onChange = await renderField(net, {
      target: 'component:default/payments-api',
      callers: [],
    });
    expect(
      screen.getByText('Pick the callers first: the impact shows here.'),
    ).toBeInTheDocument();
    expect(net.requests).toEqual([]);
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith(
        'Pick the callers first: the impact shows here.',
      ),
    );
  });

  it('shows a progress bar while the dry run runs', async () => {
    await renderField(network('pending'), form);
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('warns when no repository is configured', async () => {
    const message =
      'No GitOps repository: set meshSecurity.accessRequests.repository; the pull request cannot be opened and its impact is unknown';
    const onChange = await renderField(
      network({
        status: 200,
        body: {
          status: 'not-configured',
          changed: false,
          message,
          rows: [],
          findings: [],
          warnings: [],
        },
      }),
      form,
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'No GitOps repository is configured: the pull request cannot be opened',
    );
    await waitFor(() => expect(onChange).toHaveBeenLastCalledWith(message));
  });

  it('says when nothing would change', async () => {
    await renderField(
      network({
        status: 200,
        body: {
          ...preview,
          changed: false,
          rows: [],
          message: 'No change: the requested access is already allowed',
        },
      }),
      form,
    );
    expect(
      await screen.findByText(
        'No change: the requested access is already allowed',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it("shows the action's refusal in words", async () => {
    const onChange = await renderField(
      network({
        status: 403,
        body: {
          error: {
            name: 'NotAllowedError',
            message:
              'You are not allowed to read component:default/payments-api, or it does not exist',
          },
        },
      }),
      form,
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The impact could not be computed');
    expect(alert).toHaveTextContent(
      'You are not allowed to read component:default/payments-api, or it does not exist',
    );
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith(
        'Unknown: You are not allowed to read component:default/payments-api, or it does not exist',
      ),
    );
  });

  it('says the action refuses the change when it answers 400', async () => {
    const refusal =
      'The change would not grant the requested access; the mesh would still refuse storefront/checkout GET /admin/users on port 8080: AuthorizationPolicy payments/payments-api-deny-admin: denied';
    const onChange = await renderField(
      network({
        status: 400,
        body: { error: { name: 'InputError', message: refusal } },
      }),
      form,
    );
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The action refuses this change');
    expect(alert).not.toHaveTextContent('could not be computed');
    expect(alert).toHaveTextContent(refusal);
    await waitFor(() =>
      expect(onChange).toHaveBeenLastCalledWith(`Refused: ${refusal}`),
    );
  });

  it('names the status when the answer is not JSON', async () => {
    await renderField(network({ status: 502, body: NOT_JSON }), form);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'the scaffolder backend answered 502',
    );
  });
});
