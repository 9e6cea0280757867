import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
} from '@backstage/core-components';
import { BackendStatus } from '../BackendStatus';

/**
 * The platform team's catalog-wide posture page, at `/mesh-security`.
 *
 * @public
 */
export const MeshSecurityPage = () => (
  <Page themeId="tool">
    <Header
      title="Mesh Security"
      subtitle="mTLS, authorization and segmentation across the catalog"
    />
    <Content>
      <ContentHeader title="Clusters" />
      <InfoCard title="Backend">
        <BackendStatus />
      </InfoCard>
    </Content>
  </Page>
);
