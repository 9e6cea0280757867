import { WarningPanel } from '@backstage/core-components';
import { ThemeProvider } from '@material-ui/core';
import { ComponentProps, useMemo } from 'react';
import { headingTheme } from '../headingTheme';

/**
 * Backstage's WarningPanel, with its title at the heading level of the section it sits in.
 * WarningPanel draws the title as Material UI's `subtitle1`, an `h6`: right under a section's
 * `h2` that skips three levels (axe `heading-order`), so screen-reader users navigating by
 * heading lose the outline. `headingLevel` is the level the title takes (default 3, for a
 * panel under a section's `h2`).
 */
export const SectionWarningPanel = ({
  headingLevel = 3,
  ...props
}: ComponentProps<typeof WarningPanel> & {
  headingLevel?: 2 | 3 | 4 | 5 | 6;
}) => {
  const theme = useMemo(
    () => headingTheme('subtitle1', headingLevel),
    [headingLevel],
  );
  return (
    <ThemeProvider theme={theme}>
      <WarningPanel {...props} />
    </ThemeProvider>
  );
};
