import {
  HTTP_METHODS,
  parseGitopsRepository,
  parseMeshIdentity,
} from '@mesh-security/plugin-mesh-security-common';
import { z as zod } from 'zod/v3';

/*
 * Input validation shared by the actions. Every value that ends up in YAML is checked against a
 * strict pattern here, so no input can carry YAML structure (newlines, `:`, `#`, `{`, quotes).
 */

type Z = typeof zod;

/** DNS-1123 label (Kubernetes namespace and service account names). */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Entity reference: `[kind:][namespace/]name` with catalog-safe characters only. */
export const ENTITY_REF =
  /^(?:[A-Za-z][A-Za-z0-9]{0,62}:)?(?:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/**
 * Istio path match: exact, prefix (`/api/*`) or suffix (`*.json`); `*` only at one end
 * ("Authorization Policy", Operation.paths). Characters limited to RFC 3986 path characters.
 */
export const PATH_PATTERN =
  /^(?:\/[A-Za-z0-9\-._~%!$&'()+,;=:@/]*(?:\/\*)?|\*[A-Za-z0-9\-._~%!$&'()+,;=:@/]+)$/;
/** Calendar date `YYYY-MM-DD`. */
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A caller: a component entity ref or an explicit mesh identity. */
export const callerSchema = (z: Z) =>
  z
    .string()
    .max(300)
    .refine(v => ENTITY_REF.test(v) || parseMeshIdentity(v) !== undefined, {
      message:
        'must be a component entity ref (component:default/checkout) or a mesh identity (cluster.local/ns/<ns>/sa/<sa> or <sa>.<ns>.serviceaccount.identity.linkerd.<trust-domain>)',
    })
    .describe('Component entity ref, Istio principal or Linkerd identity');

/** The target component. */
export const targetSchema = (z: Z) =>
  z
    .string()
    .regex(
      ENTITY_REF,
      'must be an entity ref such as component:default/payments-api',
    )
    .describe('Target component (entity ref)');

/** Ports. */
export const portsSchema = (z: Z) =>
  z
    .array(z.number().int().min(1).max(65535))
    .max(20)
    .optional()
    .describe('Ports (all ports when absent)');

/** HTTP methods. */
export const methodsSchema = (z: Z) =>
  z
    .array(z.enum(HTTP_METHODS))
    .max(HTTP_METHODS.length)
    .optional()
    .describe('HTTP methods (all when absent)');

/** HTTP paths. */
export const pathsSchema = (z: Z) =>
  z
    .array(
      z
        .string()
        .max(256)
        .regex(
          PATH_PATTERN,
          'must be an HTTP path: /exact, /prefix/* or *suffix',
        ),
    )
    .max(20)
    .optional()
    .describe('HTTP paths (all when absent)');

/** Free text for the pull request body (never written to YAML). */
export const justificationSchema = (z: Z) =>
  z
    .string()
    .trim()
    .min(10, 'say why, in at least 10 characters')
    .max(2000)
    .describe('Why the change is needed');

/**
 * Why an expiry date is refused, or undefined: it must exist in the calendar (`Date` would turn
 * 2024-02-31 into March 2) and not be before today, in UTC.
 */
function expiryProblem(value: string, now: Date): string | undefined {
  const [year, month, day] = value.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    return `${value} is not a date in the calendar`;
  const today = now.toISOString().slice(0, 10);
  if (value < today)
    return `${value} is in the past (today is ${today}, UTC); give a date from today on`;
  return undefined;
}

/** Expiry date (a real date, today or later, when given). */
export const expirySchema = (z: Z) =>
  z
    .string()
    .regex(ISO_DATE, 'must be a date YYYY-MM-DD')
    .superRefine((value, ctx) => {
      if (!ISO_DATE.test(value)) return; // the regex said so already
      const problem = expiryProblem(value, new Date());
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe(
      'When the access should be removed again (YYYY-MM-DD, today or later)',
    );

/** Optional repository override (the format of common's parser), checked against the allow-list. */
export const repositorySchema = (z: Z) =>
  z
    .string()
    .refine(value => parseGitopsRepository(value) !== undefined, {
      message: 'must be owner/name or host/owner/name',
    })
    .optional()
    .describe(
      'GitOps repository (host/owner/name or owner/name); defaults to the configured one',
    );

/** Optional cluster selection. */
export const clusterSchema = (z: Z) =>
  z
    .string()
    .regex(DNS1123_LABEL, 'must be a DNS-1123 label')
    .optional()
    .describe(
      'Cluster of the target (the first cluster running it when absent)',
    );

/** The outputs every action sets. */
export const changeOutputSchema = (z: Z) =>
  z.object({
    changed: z
      .boolean()
      .describe('Whether the policy file changed (false: already in place)'),
    pullRequestUrl: z.string().optional().describe('URL of the pull request'),
    pullRequestNumber: z
      .number()
      .optional()
      .describe('Number of the pull request'),
    branch: z.string().optional().describe('Branch holding the change'),
    policyPath: z
      .string()
      .describe('Path of the policy file in the repository'),
    diff: z.string().describe('Unified diff of the policy file'),
    impact: z
      .string()
      .describe('Impact table (Markdown): callers before and after, per port'),
    message: z.string().describe('What happened, in one sentence'),
    removed: z
      .array(z.string())
      .optional()
      .describe('Revoke: what was removed, one line per grant'),
    warnings: z
      .array(z.string())
      .optional()
      .describe(
        'Request: requests the mesh allows that a NetworkPolicy still blocks (they will not work until a NetworkPolicy allows them). Revoke: revoked requests that stay allowed after the change, each with what allows it. Enforce: ports that stay without STRICT mTLS, each with why',
      ),
  });

/** Splits `[kind:][namespace/]name` with defaults. */
export function parseRef(
  ref: string,
  defaultKind = 'component',
): { kind: string; namespace: string; name: string } {
  const m = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref)!;
  return {
    kind: (m[1] ?? defaultKind).toLowerCase(),
    namespace: m[2] ?? 'default',
    name: m[3],
  };
}

/**
 * The requester's entity ref for YAML comments and commit messages: only entity-ref characters
 * survive, so a crafted identity can never break out of a comment line.
 */
export function safeRequester(ref: string | undefined): string {
  return ref ? ref.replace(/[^A-Za-z0-9:/._-]/g, '_') : 'unknown user';
}
