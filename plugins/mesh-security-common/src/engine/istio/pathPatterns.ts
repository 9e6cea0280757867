/*
 * Set relations between Istio path patterns ("Authorization Policy" reference, Operation.paths):
 * a pattern matches a path exactly, by prefix (`/api/*`), by suffix (`*.json`), or any path
 * (`*`), as `pathMatch` in authorizationMatch.ts evaluates them for one request. Path templates
 * (`{*}`, `{**}`) are related only to themselves and to `*`, and assumed to meet any other
 * pattern: the answers err towards "may overlap", never towards "covers".
 */

type Pattern = {
  kind: 'any' | 'exact' | 'prefix' | 'suffix' | 'template';
  text: string;
};

function patternOf(p: string): Pattern {
  if (p === '*') return { kind: 'any', text: '' };
  if (p.includes('{*}') || p.includes('{**}'))
    return { kind: 'template', text: p };
  if (p.endsWith('*')) return { kind: 'prefix', text: p.slice(0, -1) };
  if (p.startsWith('*')) return { kind: 'suffix', text: p.slice(1) };
  return { kind: 'exact', text: p };
}

/**
 * Whether every path pattern `inner` matches is also matched by pattern `outer`.
 *
 * @public
 */
export function istioPathCovers(outer: string, inner: string): boolean {
  const o = patternOf(outer);
  const i = patternOf(inner);
  if (o.kind === 'any') return true;
  if (o.kind === 'template' || i.kind === 'template') return outer === inner;
  if (o.kind === 'exact') return i.kind === 'exact' && i.text === o.text;
  if (o.kind === 'prefix')
    return (
      (i.kind === 'exact' || i.kind === 'prefix') && i.text.startsWith(o.text)
    );
  return (i.kind === 'exact' || i.kind === 'suffix') && i.text.endsWith(o.text);
}

/**
 * Whether some path matches both patterns (a prefix and a suffix are assumed to meet).
 *
 * @public
 */
export function istioPathsIntersect(a: string, b: string): boolean {
  if (istioPathCovers(a, b) || istioPathCovers(b, a)) return true;
  const x = patternOf(a);
  const y = patternOf(b);
  if (x.kind === 'template' || y.kind === 'template') return true;
  if (x.kind === 'exact' || y.kind === 'exact') return false;
  if (x.kind === y.kind)
    return x.kind === 'prefix'
      ? x.text.startsWith(y.text) || y.text.startsWith(x.text)
      : x.text.endsWith(y.text) || y.text.endsWith(x.text);
  return true;
}

/**
 * A concrete path an exact, prefix or suffix pattern matches (`/api/*` → `/api/x`,
 * `*.json` → `/x.json`), to ask the engine about a request the pattern stands for.
 *
 * @public
 */
export const istioPathSample = (pattern: string) =>
  pattern.replace(/\*$/, 'x').replace(/^\*/, '/x');
