import { CSSProperties } from 'react';

/*
 * How long texts wrap, in one place. Backstage's theme breaks table cells' words anywhere
 * (`word-break: break-word`) and makes a list item's text one clipped line; each component
 * picks one of these instead.
 */

/**
 * Broken between words (and after `-` or `/`) only; a word wider than its box alone breaks
 * inside. A table column of such cells is never narrower than its longest word: for names,
 * modes and reasons read as words.
 */
export const betweenWords = {
  wordBreak: 'normal',
  overflowWrap: 'break-word',
} as const;

/**
 * Broken between words, and inside a word whenever that lets the column be narrower: for long
 * prose and URLs in tables with many columns, where fitting the card matters more.
 */
export const anywhereIfNeeded = {
  wordBreak: 'normal',
  overflowWrap: 'anywhere',
} as const;

/**
 * `secondaryTypographyProps` for a `ListItemText` whose secondary text must be read whole (a
 * reason, an evidence, a cluster's problem): it wraps between words instead of being one line
 * clipped at the list's edge (`white-space: nowrap`, `overflow: hidden` in Backstage's theme).
 */
export const wrappingSecondary: { style: CSSProperties } = {
  style: { whiteSpace: 'normal', ...betweenWords },
};
