import { Typography } from '@material-ui/core';
import {
  MTLS_MODES,
  MtlsMode,
} from '@mesh-security/plugin-mesh-security-common';
import { MTLS_MODE_DESCRIPTIONS } from '../MtlsBadge';

/** One mode in words, visible (not only the badge's hover title): "STRICT: only mutual TLS…". */
export const MtlsModeHelp = ({ mode }: { mode: MtlsMode }) => (
  <Typography variant="caption" color="textSecondary" component="p">
    <strong>{mode}</strong>: {MTLS_MODE_DESCRIPTIONS[mode]}.
  </Typography>
);

/** Every mode in words, as a legend for tables and charts of modes. */
export const MtlsModeLegend = () => (
  <Typography variant="caption" color="textSecondary" component="p">
    {MTLS_MODES.map((mode, i) => (
      <span key={mode}>
        {i > 0 && ' · '}
        <strong>{mode}</strong>: {MTLS_MODE_DESCRIPTIONS[mode]}
      </span>
    ))}
  </Typography>
);
