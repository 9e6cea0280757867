import { InfoCard } from '@backstage/core-components';
import { BackendStatus } from '../BackendStatus';

/**
 * The component's mesh security at a glance (overview card).
 *
 * @public
 */
export const EntityMeshSecurityCard = () => (
  <InfoCard title="Mesh security">
    <BackendStatus />
  </InfoCard>
);
