import { AccessChangeKind } from '@mesh-security/plugin-mesh-security-common';

/** What the head branch of an access-change pull request says about it. */
export interface AccessChangeBranch {
  change: AccessChangeKind;
  /** The target component's name (not its namespace or kind: the branch does not carry them). */
  targetName: string;
}

// The scaffolder module names branches `mesh-security/<kind>/<target name>-<12 hex>` (its
// `branchName` in service/execute.ts), deterministically per change, so reruns find the same
// pull request. Anchored both ends, so `payments` never matches a branch of `payments-api`.
const BRANCH =
  /^mesh-security\/(request|revoke|enforce)\/([A-Za-z0-9][A-Za-z0-9._-]*)-[0-9a-f]{12}$/;

/** Parses an access-change branch name; undefined for any other branch. */
export function parseAccessChangeBranch(
  branch: string,
): AccessChangeBranch | undefined {
  const match = BRANCH.exec(branch);
  if (!match) return undefined;
  return { change: match[1] as AccessChangeKind, targetName: match[2] };
}

/** Whether a branch changes access to the component named `name` (names are case-insensitive). */
export function isAccessChangeOf(branch: string, name: string): boolean {
  const parsed = parseAccessChangeBranch(branch);
  return parsed?.targetName.toLowerCase() === name.toLowerCase();
}
