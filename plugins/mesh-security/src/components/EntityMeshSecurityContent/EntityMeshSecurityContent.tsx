import { Content, InfoCard } from '@backstage/core-components';
import { BackendStatus } from '../BackendStatus';

/**
 * The component's "Security" tab.
 *
 * @public
 */
export const EntityMeshSecurityContent = () => (
  <Content>
    <InfoCard title="Mesh security">
      <BackendStatus />
    </InfoCard>
  </Content>
);
