/*
 * What ties an access-change pull request to its components: the head branch's name and the
 * markers in the description. The scaffolder module writes them, the backend reads them
 * (docs/backend.md "Access-change pull requests", docs/scaffolder.md "The pull request"); a
 * formatter refuses what its parser would not read back.
 */

/**
 * What an access-change pull request does, from the scaffolder action that opened it
 * (`mesh-security:access:request`, `mesh-security:access:revoke`, `mesh-security:mtls:enforce`).
 *
 * @public
 */
export const ACCESS_CHANGE_KINDS = ['request', 'revoke', 'enforce'] as const;

/**
 * One of {@link ACCESS_CHANGE_KINDS}.
 *
 * @public
 */
export type AccessChangeKind = (typeof ACCESS_CHANGE_KINDS)[number];

/**
 * What the head branch of an access-change pull request says about it:
 * `mesh-security/<change>/<target name>-<hash>`.
 *
 * @public
 */
export interface AccessChangeBranch {
  /** What the pull request does (the action that opened it). */
  change: AccessChangeKind;
  /** The target component's name (not its namespace or kind: the branch does not carry them). */
  targetName: string;
  /** 12 lower-case hex characters that tell the changes of one component apart. */
  hash: string;
}

// Anchored both ends, so `payments` never matches a branch of `payments-api`; the hash is the
// last 12 hex characters, so a name may itself end in hex.
const BRANCH = new RegExp(
  `^mesh-security/(${ACCESS_CHANGE_KINDS.join(
    '|',
  )})/([A-Za-z0-9][A-Za-z0-9._-]*)-([0-9a-f]{12})$`,
);

/**
 * Parses an access-change branch name; undefined for any other branch.
 *
 * @public
 */
export function parseAccessChangeBranch(
  branch: string,
): AccessChangeBranch | undefined {
  const match = BRANCH.exec(branch);
  if (!match) return undefined;
  return {
    change: match[1] as AccessChangeKind,
    targetName: match[2],
    hash: match[3],
  };
}

/**
 * The branch name of an access change; throws for a name or hash the parser would not read.
 *
 * @public
 */
export function formatAccessChangeBranch(branch: AccessChangeBranch): string {
  const name = `mesh-security/${branch.change}/${branch.targetName}-${branch.hash}`;
  const parsed = parseAccessChangeBranch(name);
  if (
    parsed?.change !== branch.change ||
    parsed.targetName !== branch.targetName ||
    parsed.hash !== branch.hash
  )
    throw new Error(`Not an access-change branch: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Whether a branch changes access to the component named `name` (names are case-insensitive).
 *
 * @public
 */
export function isAccessChangeOf(branch: string, name: string): boolean {
  const parsed = parseAccessChangeBranch(branch);
  return parsed?.targetName.toLowerCase() === name.toLowerCase();
}

// One `<!-- mesh-security:target=<entity ref> -->` per request in the description (a request
// joining an open pull request adds its own). Entity refs are `[kind:][namespace/]name`.
const TARGET_REF = /^[A-Za-z0-9._:/-]{1,300}$/;
const TARGET_MARKER =
  /<!-- mesh-security:target=([A-Za-z0-9._:/-]{1,300}) -->/g;
/** Targets read from one description at most. */
const MAX_TARGETS = 50;

/**
 * The marker naming a request's target component in the pull request description; throws for a
 * reference the parser would not read.
 *
 * @public
 */
export function accessChangeTargetMarker(entityRef: string): string {
  if (!TARGET_REF.test(entityRef))
    throw new Error(`Not an entity reference: ${JSON.stringify(entityRef)}`);
  return `<!-- mesh-security:target=${entityRef} -->`;
}

/**
 * The entity refs (lower case, each once, at most 50) a description's target markers name;
 * undefined when it has none (or is not a string).
 *
 * @public
 */
export function parseAccessChangeTargets(
  description: unknown,
): string[] | undefined {
  if (typeof description !== 'string') return undefined;
  const targets = new Set<string>();
  for (const match of description.matchAll(TARGET_MARKER)) {
    targets.add(match[1].toLowerCase());
    if (targets.size >= MAX_TARGETS) break;
  }
  return targets.size > 0 ? [...targets] : undefined;
}

// Policy paths are relative `.yaml` paths of letters, digits, `.`, `_`, `-` and `/`
// (docs/scaffolder.md "Configuration"), so a path never closes the comment.
const POLICY_PATH = /^[A-Za-z0-9._/-]{1,1024}$/;

/**
 * The marker naming the policy file a pull request changes, at the top of its description;
 * throws for a path the actions would never write.
 *
 * @public
 */
export function policyFileMarker(path: string): string {
  if (!POLICY_PATH.test(path))
    throw new Error(`Not a policy path: ${JSON.stringify(path.slice(0, 200))}`);
  return `<!-- mesh-security:policy-file=${path} -->`;
}

/**
 * Whether a description carries the policy-file marker of `path` (then further changes of that
 * file may join the pull request).
 *
 * @public
 */
export function hasPolicyFileMarker(
  description: unknown,
  path: string,
): boolean {
  return (
    typeof description === 'string' &&
    description.includes(policyFileMarker(path))
  );
}
