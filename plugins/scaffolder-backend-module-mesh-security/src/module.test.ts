import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  scaffolderActionsExtensionPoint,
  TemplateAction,
} from '@backstage/plugin-scaffolder-node';
import { meshSecurityScaffolderModule } from './module';

describe('meshSecurityScaffolderModule', () => {
  it('registers the three actions with zod-derived JSON schemas and examples', async () => {
    const actions: TemplateAction[] = [];
    await startTestBackend({
      extensionPoints: [
        [
          scaffolderActionsExtensionPoint,
          { addActions: (...a: TemplateAction[]) => actions.push(...a) },
        ],
      ],
      features: [
        meshSecurityScaffolderModule,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({
          data: {
            meshSecurity: {
              accessRequests: { allowedRepositories: ['acme/gitops'] },
            },
          },
        }),
      ],
    });
    expect(actions.map(a => a.id)).toEqual([
      'mesh-security:access:request',
      'mesh-security:access:revoke',
      'mesh-security:mtls:enforce',
    ]);
    for (const action of actions) {
      expect(action.supportsDryRun).toBe(true);
      expect(action.examples?.length).toBeGreaterThan(0);
      expect(action.schema?.output).toMatchObject({
        properties: {
          pullRequestUrl: expect.anything(),
          changed: expect.anything(),
        },
      });
    }
    expect(actions[0].schema?.input).toMatchObject({
      required: expect.arrayContaining(['target', 'callers', 'justification']),
    });
  });
});
