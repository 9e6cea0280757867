import { CopyTextButton, Table, TableColumn } from '@backstage/core-components';
import { Box, Grid, Typography } from '@material-ui/core';
import {
  EntityWorkload,
  PortMtls,
} from '@mesh-security/plugin-mesh-security-common';
import { MESH_LABELS } from '../../format';
import { MtlsBadge } from '../MtlsBadge';
import { WithScrollHint } from '../ScrollHint';

// The reason keeps room for a policy's name: beside the details at half the card's width it was
// a word wide and broke names mid-word. The table takes three quarters of a wide screen's card
// (at two thirds it was 698 px in 645 at 1280 px and scrolled), all of a narrower one's (and
// scrolls sideways on the narrowest).
const portColumns: TableColumn<PortMtls>[] = [
  { title: 'Port', field: 'port', type: 'numeric', align: 'left' },
  { title: 'Name', field: 'name', emptyValue: '—' },
  // As the access edges show it: the declared application protocol, else the transport.
  {
    title: 'Protocol',
    field: 'protocol',
    render: port => port.appProtocol ?? port.protocol ?? 'TCP',
  },
  {
    title: 'mTLS',
    field: 'mtls',
    render: port => <MtlsBadge mode={port.mtls} reason={port.reason} />,
  },
  {
    title: 'Why',
    field: 'reason',
    emptyValue: '—',
    cellStyle: { minWidth: 200 },
    headerStyle: { minWidth: 200 },
  },
];

/** A workload's mesh membership, identity (copyable), meshed pods and per-port modes. */
export const WorkloadDetails = ({ workload }: { workload: EntityWorkload }) => (
  <Grid container spacing={2}>
    <Grid item xs={12} lg={3}>
      <Typography variant="subtitle2" component="h3">
        Mesh
      </Typography>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography variant="body2">{MESH_LABELS[workload.mesh]}</Typography>
        <MtlsBadge mode={workload.mtls} reason={workload.mtlsReason} />
      </Box>
      <Typography variant="subtitle2" component="h3">
        Identity
      </Typography>
      <Box display="flex" alignItems="center" mb={1}>
        {workload.identity ? (
          <>
            <Typography
              variant="body2"
              component="code"
              style={{ overflowWrap: 'anywhere' }}
            >
              {workload.identity}
            </Typography>
            <CopyTextButton
              text={workload.identity}
              aria-label="Copy identity"
            />
          </>
        ) : (
          <Typography variant="body2" color="textSecondary">
            none (not meshed)
          </Typography>
        )}
      </Box>
      <Typography variant="subtitle2" component="h3">
        Pods meshed
      </Typography>
      <Typography variant="body2" aria-label="Pods meshed">
        {workload.pods.total === 0
          ? 'no live pods (read from manifests)'
          : `${workload.pods.meshed}/${workload.pods.total}`}
      </Typography>
      <Typography variant="subtitle2" component="h3" style={{ marginTop: 8 }}>
        Service account
      </Typography>
      <Typography variant="body2">{workload.serviceAccount}</Typography>
    </Grid>
    <Grid item xs={12} lg={9}>
      {workload.ports.length ? (
        <WithScrollHint>
          <Table<PortMtls>
            title="Ports"
            columns={portColumns}
            data={workload.ports}
            options={{ paging: false, search: false, padding: 'dense' }}
          />
        </WithScrollHint>
      ) : (
        <Typography variant="body2" color="textSecondary">
          This workload declares no container ports.
        </Typography>
      )}
    </Grid>
  </Grid>
);
