import { parseEntityRef } from '@backstage/catalog-model';
import {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import {
  COMPONENT_SECURITY_FACT_SCHEMA,
  COMPONENT_SECURITY_FACTS_VERSION,
  ComponentFactsResponse,
  MeshSecurityClient,
} from '@mesh-security/plugin-mesh-security-common';

/**
 * The retriever's id: the key of its schedule, `techInsights.factRetrievers.<id>`.
 *
 * @public
 */
export const MESH_SECURITY_FACT_RETRIEVER_ID = 'meshSecurityFactRetriever';

/** Components per request to `GET /facts` (its maximum). */
const PAGE_SIZE = 500;

/**
 * Pages read per run at most: 200 × 500 = 100,000 components. A backend answering more (or
 * paging forever) fails the run with a message rather than running unbounded.
 */
const MAX_PAGES = 200;

/** How long one page may take. */
const PAGE_TIMEOUT_MS = 60_000;

/**
 * The fact retriever: every annotated component's mesh security posture, read from the Mesh
 * Security backend's evaluated state (`GET /facts`, with this plugin's service credentials; no
 * Kubernetes call). Facts it cannot know are absent, so checks on them fail rather than pass.
 *
 * @public
 */
export const meshSecurityFactRetriever: FactRetriever = {
  id: MESH_SECURITY_FACT_RETRIEVER_ID,
  version: COMPONENT_SECURITY_FACTS_VERSION,
  title: 'Mesh security',
  description:
    "Each component's mTLS mode per port, STRICT share, meshes, findings by severity and family, zero-trust pillars, certificate days left and observed mTLS share, from the Mesh Security backend",
  entityFilter: [{ kind: 'component' }],
  schema: COMPONENT_SECURITY_FACT_SCHEMA,
  async handler({ discovery, auth, logger }) {
    const client = new MeshSecurityClient({
      discoveryApi: discovery,
      fetchApi: {
        fetch: (input, init) =>
          fetch(input, {
            ...init,
            signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
          }),
      },
    });
    const facts: TechInsightFact[] = [];
    let offset = 0;
    for (let page = 0; ; page++) {
      if (page === MAX_PAGES) {
        throw new Error(
          `Mesh Security facts: more than ${
            MAX_PAGES * PAGE_SIZE
          } components; stopped reading`,
        );
      }
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'mesh-security',
      });
      let answer: ComponentFactsResponse;
      try {
        answer = await client.getFacts({ offset, limit: PAGE_SIZE }, { token });
      } catch (error) {
        throw new Error(
          `Mesh Security facts: reading GET /facts?offset=${offset} failed: ${
            (error as Error).message
          }`,
        );
      }
      if (answer.version !== COMPONENT_SECURITY_FACTS_VERSION) {
        throw new Error(
          `Mesh Security facts: the backend answers facts version ${answer.version}, this module reads ${COMPONENT_SECURITY_FACTS_VERSION}; deploy the same release of both`,
        );
      }
      for (const { entityRef, facts: values } of answer.items) {
        const { kind, namespace, name } = parseEntityRef(entityRef);
        facts.push({
          entity: { kind, namespace, name },
          facts: values as unknown as TechInsightFact['facts'],
        });
      }
      offset += answer.items.length;
      if (answer.items.length === 0 || offset >= answer.totalItems) break;
    }
    logger.info(`Mesh Security facts: ${facts.length} component(s)`);
    return facts;
  },
};
