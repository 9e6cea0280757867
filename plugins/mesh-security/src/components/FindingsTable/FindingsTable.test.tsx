import { configApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen, within } from '@testing-library/react';
import { Finding } from '@mesh-security/plugin-mesh-security-common';
import { FindingsTable } from './FindingsTable';

const finding = (
  code: string,
  kind: string,
  namespace: string,
  name: string,
  fix = 'Change it.',
): Finding => ({
  code,
  severity: 'medium',
  message: `${code} message`,
  fix,
  object: { kind, namespace, name, cluster: 'demo' },
});

const findings: Finding[] = [
  finding(
    'MS108',
    'Deployment',
    'shop',
    'web',
    'Label the namespace `istio-injection=enabled`.',
  ),
  finding('MS203', 'AuthorizationPolicy', 'shop', 'allow-web'),
  finding('MS202', 'AuthorizationPolicy', 'shop', 'orphan'),
  finding('MS302', 'Namespace', '', 'shop'),
  finding('MS421', 'ConfigMap', 'istio-system', 'istio-ca-root-cert'),
];

async function render(config: object = {}) {
  return renderInTestApp(
    <TestApiProvider apis={[[configApiRef, mockApis.config({ data: config })]]}>
      <FindingsTable
        findings={findings}
        applied={[
          { kind: 'AuthorizationPolicy', namespace: 'shop', name: 'allow-web' },
        ]}
      />
    </TestApiProvider>,
  );
}

const codesIn = (scope: string) =>
  within(screen.getByRole('region', { name: `Findings: ${scope}` }))
    .getAllByRole('row')
    .slice(1)
    .map(row => row.textContent?.match(/MS\d{3}/)?.[0]);

describe('FindingsTable', () => {
  it('groups findings by who can act on them', async () => {
    await render();
    expect(codesIn('workload')).toEqual(['MS108', 'MS203']);
    expect(codesIn('namespace')).toEqual(['MS202', 'MS302']);
    expect(codesIn('cluster')).toEqual(['MS421']);
    expect(
      screen.getByText('Findings about its namespaces (2)'),
    ).toBeInTheDocument();
    expect(screen.getByText('Cluster-wide findings (1)')).toBeInTheDocument();
  });

  it('renders fixes as Markdown and names codes by their registry title', async () => {
    await render();
    const row = screen.getByText('MS108').closest('tr')!;
    expect(within(row).getByText('istio-injection=enabled').tagName).toBe(
      'CODE',
    );
    expect(row).toHaveTextContent('Workload outside the mesh');
    expect(within(row).queryByRole('link')).not.toBeInTheDocument();
  });

  it('links codes to their documentation when a URL is configured', async () => {
    await render({
      meshSecurity: {
        findingsDocumentationUrl: 'https://docs.example.com/findings.md',
      },
    });
    expect(screen.getByRole('link', { name: /^MS108/ })).toHaveAttribute(
      'href',
      'https://docs.example.com/findings.md#ms108',
    );
  });

  it('says there is nothing to fix without findings', async () => {
    await renderInTestApp(<FindingsTable findings={[]} />);
    expect(
      screen.getByText('No findings. Nothing to fix.'),
    ).toBeInTheDocument();
  });
});
