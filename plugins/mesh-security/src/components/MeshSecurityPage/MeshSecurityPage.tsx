import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Grid } from '@material-ui/core';
import {
  OverviewQuery,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import { useCallback, useEffect, useRef, useState } from 'react';
import { meshSecurityApiRef } from '../../api';
import { CertificatesTable } from '../CertificatesTable';
import { ClusterWarnings } from '../ClusterWarnings';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { OverviewFilters, OverviewFilterValues } from '../OverviewFilters';
import { OverviewTable, OverviewTableRef } from '../OverviewTable';
import { PostureDistribution } from '../PostureDistribution';
import { StrictRollout } from '../StrictRollout';
import { PostureTrend } from '../PostureHistory';

/**
 * The platform team's catalog-wide posture page, at `/mesh-security`: every annotated
 * component with filters, search and server-side pagination; the posture distribution overall
 * and per owner; the STRICT rollout board (observed encryption, components ready for STRICT); a
 * banner for unreachable or stale clusters; certificates' days to expiry.
 *
 * @public
 */
export const MeshSecurityPage = () => {
  const api = useApi(meshSecurityApiRef);
  const [filters, setFilters] = useState<OverviewFilterValues>({});
  const [response, setResponse] = useState<OverviewResponse>();
  const [error, setError] = useState<Error>();
  const tableRef: OverviewTableRef = useRef(undefined);
  const filtersRef = useRef(filters);

  const fetchPage = useCallback(
    async (
      page: Pick<
        OverviewQuery,
        'search' | 'sort' | 'order' | 'offset' | 'limit'
      >,
    ) => {
      try {
        const result = await api.getOverview({
          ...filtersRef.current,
          ...page,
        });
        setResponse(result);
        setError(undefined);
        return result;
      } catch (e) {
        setError(e as Error);
        throw e;
      }
    },
    [api],
  );

  useEffect(() => {
    if (filtersRef.current === filters) return;
    filtersRef.current = filters;
    // New filters: back to the first page.
    tableRef.current?.onQueryChange({ page: 0 });
  }, [filters]);

  return (
    <Page themeId="tool">
      <Header
        title="Mesh Security"
        subtitle="mTLS, authorization and segmentation across the catalog"
      />
      <Content>
        <ContentHeader title="Zero-trust posture">
          <SupportButton>
            Components with the Kubernetes plugin&apos;s annotations, evaluated
            from the cached cluster snapshots.
          </SupportButton>
        </ContentHeader>
        <Grid container spacing={3}>
          {response && (
            <Grid item xs={12}>
              <ClusterWarnings
                clusters={response.clusters}
                partial={response.partial}
                partialReasons={response.partialReasons}
              />
            </Grid>
          )}
          {error && (
            <Grid item xs={12}>
              <ErrorWithRetry
                error={error}
                onRetry={() => tableRef.current?.onQueryChange()}
              />
            </Grid>
          )}
          <Grid item xs={12}>
            <OverviewFilters
              value={filters}
              facets={response?.facets ?? { owners: [], systems: [] }}
              onChange={setFilters}
            />
          </Grid>
          <Grid item xs={12} md={5}>
            <InfoCard
              title="Posture distribution"
              subheader="mTLS mode of the matching components"
            >
              {response && (
                <PostureDistribution
                  byMode={response.distribution.byMode}
                  byOwner={response.distribution.byOwner}
                />
              )}
            </InfoCard>
          </Grid>
          <Grid item xs={12} md={7}>
            <InfoCard
              title="STRICT rollout"
              subheader="Observed encryption and the components ready for STRICT mTLS"
            >
              {response && <StrictRollout traffic={response.observedTraffic} />}
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <InfoCard
              title="Posture over time"
              subheader={`STRICT ports and critical and high findings per day${
                filters.owner ? `, ${filters.owner}` : ''
              }`}
            >
              <PostureTrend owner={filters.owner} />
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            {response?.clusters.map(cluster => (
              <Box key={cluster.name} mb={2}>
                <CertificatesTable cluster={cluster} />
              </Box>
            ))}
          </Grid>
          <Grid item xs={12}>
            <OverviewTable fetchPage={fetchPage} tableRef={tableRef} />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
};
