import { TypographyProps } from '@material-ui/core';

/**
 * Props making an `InfoCard`'s title a heading of `level` (Backstage draws it as a `span`), so
 * the headings inside the card follow it without skipping a level (axe `heading-order`): `2`
 * on an entity page (under the page's `h1`), `3` on the overview (under its content header).
 */
export const cardTitleHeading = (level: 2 | 3) => ({
  titleTypographyProps: { component: `h${level}` } as TypographyProps,
});
