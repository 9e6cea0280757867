import { Chip, makeStyles, Theme } from '@material-ui/core';
import LockIcon from '@material-ui/icons/Lock';
import LockOpenIcon from '@material-ui/icons/LockOpen';
import LockOutlinedIcon from '@material-ui/icons/LockOutlined';
import CallSplitIcon from '@material-ui/icons/CallSplit';
import HelpOutlineIcon from '@material-ui/icons/HelpOutline';
import { MtlsMode } from '@mesh-security/plugin-mesh-security-common';
import { ReactElement } from 'react';
import { readableColor } from '../../contrast';

/** What each mode means for a reader, in one line (also the badge's accessible description). */
export const MTLS_MODE_DESCRIPTIONS: Record<MtlsMode, string> = {
  STRICT: 'only mutual TLS is accepted',
  PERMISSIVE: 'mutual TLS and plaintext are both accepted',
  DISABLED: 'plaintext only, traffic is not encrypted',
  PARTIAL: 'ports or pods differ in their mode',
  UNKNOWN: 'the mode could not be determined',
};

/** The theme colour of a mode: semantic palette entries, so dark themes get their own shades. */
export function mtlsModeColor(theme: Theme, mode: MtlsMode): string {
  switch (mode) {
    case 'STRICT':
      return theme.palette.success.main;
    case 'PERMISSIVE':
    case 'PARTIAL':
      return theme.palette.warning.main;
    case 'DISABLED':
      return theme.palette.error.main;
    default:
      return theme.palette.text.secondary;
  }
}

const icons: Record<MtlsMode, ReactElement> = {
  STRICT: <LockIcon />,
  PERMISSIVE: <LockOutlinedIcon />,
  DISABLED: <LockOpenIcon />,
  PARTIAL: <CallSplitIcon />,
  UNKNOWN: <HelpOutlineIcon />,
};

/** The mode's colour shaded until its text reaches 4.5:1 on the card (WCAG 1.4.3). */
const readableModeColor = (theme: Theme, mode: MtlsMode) =>
  readableColor(mtlsModeColor(theme, mode), [
    theme.palette.background.paper,
    theme.palette.background.default,
  ]);

const useStyles = makeStyles<Theme, { mode: MtlsMode }>(theme => ({
  chip: ({ mode }) => ({
    color: readableModeColor(theme, mode),
    borderColor: readableModeColor(theme, mode),
    fontWeight: theme.typography.fontWeightBold as number,
  }),
  icon: ({ mode }) => ({ color: readableModeColor(theme, mode) }),
}));

/**
 * Props of {@link MtlsBadge}.
 *
 * @public
 */
export interface MtlsBadgeProps {
  /** The mode to show. */
  mode: MtlsMode;
  /** Why this mode (shown as a tooltip and read by screen readers). */
  reason?: string;
  /** Chip size (default `small`). */
  size?: 'small' | 'medium';
}

/**
 * An mTLS mode as colour, icon and text, readable by screen readers and in dark themes.
 *
 * @public
 */
export const MtlsBadge = ({ mode, reason, size = 'small' }: MtlsBadgeProps) => {
  const classes = useStyles({ mode });
  const description = `mTLS ${mode}: ${MTLS_MODE_DESCRIPTIONS[mode]}${
    reason ? ` (${reason})` : ''
  }`;
  return (
    <Chip
      variant="outlined"
      size={size}
      icon={icons[mode]}
      label={mode}
      title={description}
      aria-label={description}
      data-mtls-mode={mode}
      classes={{ root: classes.chip, icon: classes.icon }}
    />
  );
};
