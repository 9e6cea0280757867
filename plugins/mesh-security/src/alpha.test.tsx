import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import plugin from './alpha';
import { meshSecurityApiRef } from './api';
import { overviewResponse } from './__testUtils__/fixtures';

describe('mesh-security plugin for the new frontend system', () => {
  it('provides the API, the page, the entity card and the entity content', () => {
    expect(plugin.id).toBe('mesh-security');
    for (const id of [
      'api:mesh-security',
      'page:mesh-security',
      'entity-card:mesh-security',
      'entity-content:mesh-security',
    ]) {
      expect(plugin.getExtension(id as never)).toBeDefined();
    }
  });

  it('mounts the overview page at /mesh-security', async () => {
    const tester = createExtensionTester(
      plugin.getExtension('page:mesh-security'),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            meshSecurityApiRef,
            { getOverview: async () => ({ ...overviewResponse, items: [] }) },
          ],
        ]}
      >
        {tester.reactElement()}
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('Posture distribution', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Mesh certificates: demo'),
    ).toBeInTheDocument();
  });
});
