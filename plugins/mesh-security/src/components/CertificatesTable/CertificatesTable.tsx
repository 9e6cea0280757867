import { Table, TableColumn } from '@backstage/core-components';
import { makeStyles, Theme, Typography } from '@material-ui/core';
import {
  ClusterStatus,
  MeshCertificate,
} from '@mesh-security/plugin-mesh-security-common';
import { readableColor } from '../../contrast';
import { betweenWords } from '../textWrap';
import { WithScrollHint } from '../ScrollHint';

type CertificateRow = MeshCertificate & { id: string; cluster: string };

// Text shaded to 4.5:1 on the card and the page (WCAG 1.4.3).
const readable = (theme: Theme, color: string) =>
  readableColor(color, [
    theme.palette.background.paper,
    theme.palette.background.default,
  ]);

const useStyles = makeStyles((theme: Theme) => ({
  ok: { color: readable(theme, theme.palette.success.main) },
  expiring: {
    color: readable(theme, theme.palette.warning.main),
    fontWeight: theme.typography.fontWeightBold as number,
  },
  expired: {
    color: readable(theme, theme.palette.error.main),
    fontWeight: theme.typography.fontWeightBold as number,
  },
  unknown: { color: theme.palette.text.secondary },
}));

const DaysLeft = ({ cert }: { cert: CertificateRow }) => {
  const classes = useStyles();
  let text = 'unknown';
  if (cert.daysLeft !== undefined) {
    text =
      cert.state === 'expired'
        ? `expired (${cert.daysLeft} days)`
        : `${cert.daysLeft} days`;
  }
  return (
    <Typography
      variant="body2"
      component="span"
      className={classes[cert.state]}
      aria-label={`${text}, ${cert.state}`}
      data-cert-state={cert.state}
    >
      {text}
      {cert.state === 'expiring' ? ' (expiring)' : ''}
    </Typography>
  );
};

// Roles, objects and subjects are names: broken between words (and after `-`, `/`), never
// mid-name ("CN=root.linkerd.cl|uster.local" with Backstage's cell style).
const columns: TableColumn<CertificateRow>[] = [
  { title: 'Role', field: 'role', cellStyle: betweenWords },
  {
    title: 'Object',
    render: c => `${c.object.kind} ${c.object.namespace}/${c.object.name}`,
    cellStyle: betweenWords,
  },
  {
    title: 'Subject',
    field: 'subject',
    emptyValue: '—',
    cellStyle: betweenWords,
  },
  {
    title: 'Not after',
    field: 'notAfter',
    render: c =>
      c.notAfter ? new Date(c.notAfter).toISOString().slice(0, 10) : '—',
  },
  { title: 'Days left', field: 'daysLeft', render: c => <DaysLeft cert={c} /> },
  { title: 'Note', field: 'message', emptyValue: '' },
];

/** A cluster's mesh trust-chain certificates and their days to expiry (warning colours when near). */
export const CertificatesTable = ({ cluster }: { cluster: ClusterStatus }) => {
  const rows: CertificateRow[] = cluster.certificates.map((c, i) => ({
    ...c,
    cluster: cluster.name,
    id: `${cluster.name}-${i}`,
  }));
  return (
    <WithScrollHint>
      <Table<CertificateRow>
        title={`Mesh certificates: ${cluster.name}`}
        columns={columns}
        data={rows}
        options={{ paging: false, search: false, padding: 'dense' }}
        emptyContent={
          <div style={{ padding: 16 }}>No mesh certificates found.</div>
        }
      />
    </WithScrollHint>
  );
};
