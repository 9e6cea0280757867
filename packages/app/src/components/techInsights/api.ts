import { createApiRef } from '@backstage/core-plugin-api';
import { TechInsightsClient } from '@backstage-community/plugin-tech-insights-common/client';

/**
 * The Tech Insights backend's client, from `@backstage-community/plugin-tech-insights-common`.
 * The community's scorecard frontend (`@backstage-community/plugin-tech-insights`) is not served
 * by the registry this demo builds against (docs/tech-insights.md), so the demo app registers the
 * client itself and draws the scorecard with `MeshSecurityScorecard`.
 */
export const techInsightsClientApiRef = createApiRef<
  Pick<TechInsightsClient, 'runChecks'>
>({ id: 'app.tech-insights.client' });
