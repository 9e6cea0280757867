import { Typography, useMediaQuery, useTheme } from '@material-ui/core';
import SwapHorizIcon from '@material-ui/icons/SwapHoriz';
import { ReactNode, RefObject, useEffect, useRef, useState } from 'react';

/** What scrolls inside the scope: a table, or a drawing marked `data-scroll-hint-content`. */
const CONTENT = 'table, [data-scroll-hint-content]';

/**
 * Whether the scope's table or drawing is wider than the scope (and so scrolls sideways inside
 * it), measured again whenever either is resized. Without `ResizeObserver`: never.
 */
function useWiderContent(): [RefObject<HTMLDivElement>, boolean] {
  const scope = useRef<HTMLDivElement>(null);
  const [wider, setWider] = useState(false);
  // After every render: the content may have been replaced or redrawn.
  useEffect(() => {
    const box = scope.current;
    const content = box?.querySelector(CONTENT);
    if (!box || !content || typeof ResizeObserver === 'undefined')
      return undefined;
    const observer = new ResizeObserver(() =>
      setWider(content.getBoundingClientRect().width > box.clientWidth + 1),
    );
    observer.observe(box);
    observer.observe(content);
    return () => observer.disconnect();
  });
  return [scope, wider];
}

/**
 * A table (or drawing) with a line above it saying that it scrolls sideways, whenever it is wider
 * than its box, and on narrow screens always: Backstage's tables keep their columns and scroll
 * inside their card, which a user cannot tell from a cut-off table.
 */
export const WithScrollHint = ({
  children,
  hint = 'Scroll the table sideways to see every column',
}: {
  children: ReactNode;
  /** The line shown. */
  hint?: string;
}) => {
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'));
  const [scope, wider] = useWiderContent();
  return (
    <div data-scroll-hint-scope ref={scope}>
      {(narrow || wider) && (
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
