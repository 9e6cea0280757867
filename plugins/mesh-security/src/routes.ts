import { createRouteRef } from '@backstage/core-plugin-api';

/** The overview page's route. */
export const rootRouteRef = createRouteRef({ id: 'mesh-security' });

/** The entity "Security" tab's route. */
export const entityContentRouteRef = createRouteRef({
  id: 'mesh-security:entity-content',
});
