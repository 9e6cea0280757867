import { Mesh, SnapshotWorkload } from '../../model';
import { AddressSet } from './match';

/** Three-valued match: `unknown` when the request does not carry the attribute. */
export type Tri = 'yes' | 'no' | 'unknown';

/**
 * The client of a request as the policy layers see it. `mtls` is decided by the mTLS layer: a
 * plaintext connection carries no principal or namespace ("Authorization policy" > "Source").
 */
export interface CallerContext {
  kind: 'workload' | 'external';
  workload?: SnapshotWorkload;
  namespace?: string;
  serviceAccount?: string;
  labels: Record<string, string>;
  nsLabels: Record<string, string>;
  mesh: Mesh;
  /** The connection is mTLS with a mesh identity the server can verify. */
  mtls: boolean;
  /** Istio principal `<td>/ns/<ns>/sa/<sa>` when the connection carries an Istio identity. */
  principal?: string;
  /** Linkerd identity when the connection carries a Linkerd identity. */
  linkerdIdentity?: string;
  /** Known source IPs (all must satisfy an IP condition); undefined when unknown. */
  ips?: string[];
  /**
   * Set on a caller that stands for every client outside the mesh whose address lies in a range
   * (a network peer, docs/engine.md "Network peers"): an address condition answers `yes` only
   * when every address of the range satisfies it, `no` when none does (core/match.ts
   * `addressSetWithin`). `remote`: the range is the original client address
   * (`remoteIpBlocks`); the connection's source address is then unknown, and the other way round.
   */
  network?: AddressSet & { remote?: boolean };
  inCluster: boolean;
  /** Parsed principal parts, computed once by the authorization matcher. */
  identity?: {
    principal?: string;
    ns?: string;
    sa?: string;
    td?: string;
    nsSa?: string;
    /** A group representative's principal up to its unknown service account: `<td>/ns/<ns>/sa/`. */
    principalPrefix?: string;
  };
  /**
   * Set on a caller that stands for every workload of a caller group (accessGraph.ts): its mesh,
   * namespace, namespace labels, egress policies and client TLS rules are those of every member;
   * its service account, pod labels and IP addresses are not known. A matcher that needs one of
   * those answers `unknown` through {@link unknownForGroup}, so the group is then evaluated
   * member by member: a definite answer for the representative holds for every member
   * (three-valued logic never turns `unknown` into `yes` or `no`).
   */
  group?: {
    consulted: boolean;
    /** What follows the service account in the members' Linkerd identities. */
    linkerdIdentitySuffix?: string;
    /**
     * The caller stands for groups of several namespaces (accessGraph.ts, "classes"): its
     * namespace, namespace labels and whatever depends on them are unknown too.
     */
    namespaceUnknown?: boolean;
  };
}

/** The answer of a matcher that needs an attribute a group representative does not have. */
export function unknownForGroup(caller: {
  group?: { consulted: boolean };
}): Tri {
  if (caller.group) caller.group.consulted = true;
  return 'unknown';
}

/** The request attributes; `mode: 'any'` asks "is some request allowed" (callers view). */
export interface RequestAttrs {
  port: number;
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
  mode: 'request' | 'any';
}

/** The verdict of one layer. */
export interface LayerVerdict {
  effect: 'ALLOW' | 'DENY';
  policy?: string;
  message: string;
  cannotEvaluate: string[];
  /** In `any` mode: the allowing rule restricts these methods / paths. */
  methods?: string[];
  paths?: string[];
  /** In `any` mode: the allowed method/path combinations, when there are several. */
  operations?: Array<{ methods?: string[]; paths?: string[] }>;
  /** The default (no policy) decided. */
  byDefault?: boolean;
}

export function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes';
}
export function or(a: Tri, b: Tri): Tri {
  if (a === 'yes' || b === 'yes') return 'yes';
  return a === 'unknown' || b === 'unknown' ? 'unknown' : 'no';
}
const NOT: Record<Tri, Tri> = { yes: 'no', no: 'yes', unknown: 'unknown' };
export const not = (a: Tri): Tri => NOT[a];
