import {
  darken,
  getContrastRatio,
  getLuminance,
  lighten,
} from '@material-ui/core/styles';

/** WCAG 2.1 success criterion 1.4.3: text needs a contrast ratio of at least 4.5:1. */
export const MINIMUM_TEXT_CONTRAST = 4.5;

/**
 * `color`, darkened on a light background (lightened on a dark one) in small steps until text
 * in it reaches `minimum` contrast against every one of `backgrounds` (a chip may sit on the
 * paper of a card or on the page's default background). The hue stays, so a mode or severity
 * keeps its colour while its text stays readable; the theme's palette entries (#ff9800 warning,
 * #4caf50 success…) are often below 4.5:1 on white.
 */
export function readableColor(
  color: string,
  backgrounds: string[],
  minimum: number = MINIMUM_TEXT_CONTRAST,
): string {
  const onLight =
    backgrounds.reduce((sum, b) => sum + getLuminance(b), 0) /
      Math.max(1, backgrounds.length) >
    0.5;
  const readable = (candidate: string) =>
    backgrounds.every(b => getContrastRatio(candidate, b) >= minimum);
  let result = color;
  // 30 steps of 10 % reach black or white from any colour.
  for (let step = 0; step < 30; step++) {
    if (readable(result)) return result;
    result = onLight ? darken(result, 0.1) : lighten(result, 0.1);
  }
  return result;
}
