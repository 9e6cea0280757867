import { Theme } from '@material-ui/core';

/**
 * A theme in which Material UI's typography `variant` is drawn as a heading of `level`, every
 * other variant as the outer theme maps it. Backstage components draw titles with fixed
 * variants (`EmptyState` an `h5`, `WarningPanel` a `subtitle1`, i.e. `h6`); placed under a
 * section's `h2` they would skip levels (axe `heading-order`).
 */
export const headingTheme =
  (variant: 'h5' | 'subtitle1', level: 2 | 3 | 4 | 5 | 6) =>
  (outer: Theme): Theme => ({
    ...outer,
    props: {
      ...outer.props,
      MuiTypography: {
        ...outer.props?.MuiTypography,
        variantMapping: {
          ...outer.props?.MuiTypography?.variantMapping,
          [variant]: `h${level}`,
        },
      },
    },
  });
