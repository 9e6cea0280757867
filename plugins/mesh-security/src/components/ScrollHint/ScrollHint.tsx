import { Typography, useMediaQuery, useTheme } from '@material-ui/core';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import { ReactNode } from 'react';

/**
 * A table (or drawing) with a line above it, on narrow screens only, saying that it scrolls
 * sideways: Backstage's tables keep their columns and scroll inside their card, which a phone
 * user cannot tell from a cut-off table.
 */
export const WithScrollHint = ({
  children,
  hint = 'Scroll the table sideways to see every column',
}: {
  children: ReactNode;
  /** The line shown on narrow screens. */
  hint?: string;
}) => {
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  return (
    <div data-scroll-hint-scope>
      {narrow && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="p"
          data-scroll-hint
          style={{ display: 'flex', alignItems: 'center', gap: 4 }}
        >
          <SwapHorizIcon fontSize="small" aria-hidden />
          {hint}
        </Typography>
      )}
      {children}
    </div>
  );
};
