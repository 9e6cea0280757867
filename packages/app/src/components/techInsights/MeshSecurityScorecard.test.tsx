import { Entity } from '@backstage/catalog-model';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { CheckResult } from '@backstage-community/plugin-tech-insights-common';
import { screen, within } from '@testing-library/react';
import { techInsightsClientApiRef } from './api';
import {
  MESH_SECURITY_CHECKS,
  MeshSecurityScorecard,
} from './MeshSecurityScorecard';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: {},
};

function result(id: string, name: string, value: unknown): CheckResult {
  return {
    facts: {},
    check: {
      id,
      type: 'json-rules-engine',
      name,
      description: `${name}, described`,
      factIds: ['meshSecurityFactRetriever'],
    },
    result: value as CheckResult['result'],
  };
}

function render(runChecks: (...args: any[]) => Promise<CheckResult[]>) {
  return renderInTestApp(
    <TestApiProvider apis={[[techInsightsClientApiRef, { runChecks }]]}>
      <EntityProvider entity={entity}>
        <MeshSecurityScorecard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('MeshSecurityScorecard', () => {
  it('runs the Mesh Security checks for the entity and says which pass and which fail, in order', async () => {
    // The backend answers in its own order; the card keeps the order it asked for.
    const runChecks = jest.fn(async () => [
      result('meshSecurityLeastPrivilege', 'Least privilege', null),
      result(
        'meshSecurityStrictEverywhere',
        'mTLS STRICT on every port',
        false,
      ),
      result('meshSecurityNoHighFindings', 'No high findings', true),
    ]);
    await render(runChecks);
    expect(runChecks).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      MESH_SECURITY_CHECKS,
    );
    const list = await screen.findByRole('list', {
      name: 'Mesh security checks',
    });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map(item => item.textContent),
    ).toEqual([
      'mTLS STRICT on every port: failedmTLS STRICT on every port, described',
      'No high findings: passedNo high findings, described',
      'Least privilege: no resultLeast privilege, described',
    ]);
    // Descriptions wrap: Backstage's theme would clip each to one line.
    expect(within(list).getByText('No high findings, described')).toHaveStyle({
      whiteSpace: 'normal',
    });
  });

  it('shows the Tech Insights error instead of a verdict', async () => {
    await render(async () => {
      throw new Error('Request failed with 503 Service Unavailable');
    });
    expect(
      await screen.findByText(
        'Error: Request failed with 503 Service Unavailable',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'Mesh security checks' }),
    ).not.toBeInTheDocument();
  });

  it('says when there are no results yet', async () => {
    await render(async () => []);
    expect(
      await screen.findByText(
        /No Tech Insights results for this component yet/,
      ),
    ).toBeInTheDocument();
  });
});
