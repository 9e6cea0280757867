/**
 * The headings under `root` that skip a level, in document order, as axe's `heading-order`
 * rule reads them (a heading may go at most one level deeper than the one before it; any
 * shallower is fine): `h`-elements and `role="heading"` with `aria-level`. `previous` is the
 * level of the page's heading before `root` (Backstage's page title is an `h1`).
 */
export function skippedHeadingLevels(
  root: HTMLElement,
  previous: number = 1,
): string[] {
  const skipped: string[] = [];
  let last = previous;
  for (const heading of Array.from(
    root.querySelectorAll<HTMLElement>(
      'h1, h2, h3, h4, h5, h6, [role="heading"]',
    ),
  )) {
    if (heading.closest('[aria-hidden="true"]')) continue;
    const aria = Number(heading.getAttribute('aria-level'));
    const level =
      aria > 0 ? aria : Number(/^h(\d)$/i.exec(heading.tagName)?.[1] ?? 2);
    if (level > last + 1)
      skipped.push(`h${level} after h${last}: ${heading.textContent}`);
    last = level;
  }
  return skipped;
}
