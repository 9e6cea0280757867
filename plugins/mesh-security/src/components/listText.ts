import { CSSProperties } from 'react';

/**
 * `secondaryTypographyProps` for a `ListItemText` whose secondary text must be read whole (a
 * reason, an evidence, a cluster's problem): it wraps, whole words first. Backstage's theme
 * makes a list item's text one line, clipped at the list's edge (`white-space: nowrap` and
 * `overflow: hidden` on `MuiListItemText`), which cut such texts off mid-sentence.
 */
export const wrappingSecondary: { style: CSSProperties } = {
  style: { whiteSpace: 'normal', overflowWrap: 'break-word' },
};
