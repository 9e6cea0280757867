import { Box } from '@material-ui/core';
import {
  MESHES,
  MTLS_MODES,
  OverviewQuery,
  OverviewResponse,
} from '@mesh-security/plugin-mesh-security-common';
import { MESH_LABELS } from '../../format';
import { FilterSelect as Select } from './FilterSelect';

/** The filters of the overview (sort, search and pagination belong to the table). */
export type OverviewFilterValues = Pick<
  OverviewQuery,
  'owner' | 'system' | 'mesh' | 'mode'
>;

const ALL = '';
const all = { label: 'All', value: ALL };

/** Owner, system, mesh and mode drop-downs; owners and systems come from the response's facets. */
export const OverviewFilters = ({
  value,
  facets,
  onChange,
}: {
  value: OverviewFilterValues;
  facets: OverviewResponse['facets'];
  onChange: (value: OverviewFilterValues) => void;
}) => {
  const set = (key: keyof OverviewFilterValues) => (selected: string) => {
    const v = String(selected);
    onChange({ ...value, [key]: v === ALL ? undefined : v });
  };
  return (
    <Box
      display="flex"
      flexWrap="wrap"
      style={{ gap: 16 }}
      role="group"
      aria-label="Filters"
    >
      <Box minWidth={200}>
        <Select
          native
          label="Owner"
          data-testid="filter-owner"
          items={[all, ...facets.owners.map(o => ({ label: o, value: o }))]}
          selected={value.owner ?? ALL}
          onChange={set('owner')}
        />
      </Box>
      <Box minWidth={200}>
        <Select
          native
          label="System"
          data-testid="filter-system"
          items={[all, ...facets.systems.map(s => ({ label: s, value: s }))]}
          selected={value.system ?? ALL}
          onChange={set('system')}
        />
      </Box>
      <Box minWidth={180}>
        <Select
          native
          label="Mesh"
          data-testid="filter-mesh"
          items={[
            all,
            ...MESHES.map(m => ({ label: MESH_LABELS[m], value: m })),
          ]}
          selected={value.mesh ?? ALL}
          onChange={set('mesh')}
        />
      </Box>
      <Box minWidth={160}>
        <Select
          native
          label="mTLS mode"
          data-testid="filter-mode"
          items={[all, ...MTLS_MODES.map(m => ({ label: m, value: m }))]}
          selected={value.mode ?? ALL}
          onChange={set('mode')}
        />
      </Box>
    </Box>
  );
};
