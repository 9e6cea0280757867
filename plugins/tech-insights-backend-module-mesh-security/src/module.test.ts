import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import { techInsightsModuleMeshSecurity } from './module';

describe('techInsightsModuleMeshSecurity', () => {
  async function start(config: object) {
    const addFactRetrievers = jest.fn();
    const logger = mockServices.logger.mock();
    await startTestBackend({
      extensionPoints: [
        [techInsightsFactRetrieversExtensionPoint, { addFactRetrievers }],
      ],
      features: [
        techInsightsModuleMeshSecurity,
        mockServices.rootConfig.factory({ data: config }),
        logger.factory,
      ],
    });
    return { addFactRetrievers, logger };
  }

  it('adds the retriever under the id its schedule is configured by', async () => {
    const { addFactRetrievers, logger } = await start({
      techInsights: {
        factRetrievers: {
          meshSecurityFactRetriever: { cadence: '*/15 * * * *' },
        },
      },
    });
    expect(addFactRetrievers).toHaveBeenCalledTimes(1);
    const [retrievers] = addFactRetrievers.mock.calls[0];
    expect(Object.keys(retrievers)).toEqual(['meshSecurityFactRetriever']);
    expect(retrievers.meshSecurityFactRetriever.id).toBe(
      'meshSecurityFactRetriever',
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('says so when no schedule is configured (Tech Insights would never run it)', async () => {
    const { logger } = await start({});
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'techInsights.factRetrievers.meshSecurityFactRetriever.cadence',
      ),
    );
  });
});
