import {
  Content,
  ContentHeader,
  Header,
  InfoCard,
  Page,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Box, Grid, Typography } from '@material-ui/core';
import {
  MESHES,
  MTLS_MODES,
  OverviewQuery,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import { meshSecurityApiRef } from '../../api';
import { CertificatesTable } from '../CertificatesTable';
import { ClusterWarnings } from '../ClusterWarnings';
import { ErrorWithRetry } from '../ErrorWithRetry';
import { OverviewFilters, OverviewFilterValues } from '../OverviewFilters';
import { OverviewTable, OverviewTableRef } from '../OverviewTable';
import { PostureDistribution } from '../PostureDistribution';
import { StrictRollout } from '../StrictRollout';
import { PostureTrend } from '../PostureHistory';
import { MtlsModeLegend } from '../MtlsModeLegend';
import { cardTitleHeading } from '../../headings';
import { PendingAccessChanges } from '../PendingAccessChanges';

const FILTER_KEYS = ['owner', 'system', 'mesh', 'mode'] as const;

/**
 * The filters as the page's URL holds them (`?owner=…&mode=STRICT`), so a filtered view can be
 * shared and survives a reload; unknown meshes and modes are ignored.
 */
function filtersOf(params: URLSearchParams): OverviewFilterValues {
  const value: OverviewFilterValues = {};
  const owner = params.get('owner');
  const system = params.get('system');
  const mesh = params.get('mesh');
  const mode = params.get('mode');
  if (owner) value.owner = owner;
  if (system) value.system = system;
  if (mesh && (MESHES as readonly string[]).includes(mesh))
    value.mesh = mesh as OverviewFilterValues['mesh'];
  if (mode && (MTLS_MODES as readonly string[]).includes(mode))
    value.mode = mode as OverviewFilterValues['mode'];
  return value;
}

/** "1 catalog component has no Kubernetes annotations …", or nothing when all are covered. */
const Uncovered = ({ count }: { count?: number }) => {
  if (!count) return null;
  return (
    <Typography variant="body2" color="textSecondary">
      {count === 1
        ? '1 catalog component is not covered: it has'
        : `${count} catalog components are not covered: they have`}{' '}
      no Kubernetes annotation (<code>{KUBERNETES_ANNOTATION}</code> or{' '}
      <code>{KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}</code>), so no posture.
    </Typography>
  );
};

/**
 * The platform team's catalog-wide posture page, at `/mesh-security`: every annotated
 * component with filters (kept in the URL), search and server-side pagination, the modes in
 * words and how many catalog components have no posture; the posture distribution overall
 * and per owner; the STRICT rollout board (observed encryption, components ready for STRICT); a
 * banner for unreachable or stale clusters; certificates' days to expiry.
 *
 * @public
 */
export const MeshSecurityPage = () => {
  const api = useApi(meshSecurityApiRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const filterKey = FILTER_KEYS.map(k => searchParams.get(k) ?? '').join('|');
  // One object per distinct set of filters, so the effect below runs only when they change.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo(() => filtersOf(searchParams), [filterKey]);
  const setFilters = useCallback(
    (value: OverviewFilterValues) => {
      const next = new URLSearchParams(searchParams);
      for (const key of FILTER_KEYS) {
        const v = value[key];
        if (v) next.set(key, v);
        else next.delete(key);
      }
      setSearchParams(next, { replace: true });
    },
    [searchParams, setSearchParams],
  );
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
              {...cardTitleHeading(3)}
              title="Posture distribution"
              subheader="mTLS mode of the matching components"
            >
              <MtlsModeLegend />
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
              {...cardTitleHeading(3)}
              title="STRICT rollout"
              subheader="Observed encryption and the components ready for STRICT mTLS"
            >
              {response && <StrictRollout traffic={response.observedTraffic} />}
            </InfoCard>
          </Grid>
          <Grid item xs={12}>
            <InfoCard
              {...cardTitleHeading(3)}
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
            <Box mt={1}>
              <MtlsModeLegend />
              <Uncovered count={response?.uncoveredComponents} />
            </Box>
          </Grid>
          <Grid item xs={12}>
            <PendingAccessChanges />
          </Grid>
        </Grid>
      </Content>
    </Page>
  );
};
