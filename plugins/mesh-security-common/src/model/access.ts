import { MtlsMode } from './mesh';
import { WorkloadRef } from './workload';

/**
 * The layer that decided (part of) an access decision.
 *
 * @public
 */
export type AccessLayer = 'mtls' | 'authorization' | 'network-policy';

/**
 * Who sends a request: a workload in the snapshot, or a plaintext client outside the cluster.
 *
 * @public
 */
export type AccessSource = WorkloadRef | { kind: 'external' };

/**
 * A request to check: from, to, port, and optionally HTTP method and path.
 *
 * @public
 */
export interface AccessRequest {
  from: AccessSource;
  to: WorkloadRef;
  port: number;
  method?: string;
  path?: string;
  /** Optional HTTP host header (for AuthorizationPolicy `hosts`). */
  host?: string;
  /** Optional caller IP (for `ipBlocks` and NetworkPolicy `ipBlock`). */
  sourceIp?: string;
  /** Optional HTTP request headers, lower-case names (for `when` keys `request.headers[...]`). */
  headers?: Record<string, string>;
}

/**
 * One reason of a decision, naming its layer and, when a policy decided, that policy
 * (`Kind namespace/name`).
 *
 * @public
 */
export interface AccessReason {
  layer: AccessLayer;
  policy?: string;
  message: string;
  effect?: 'ALLOW' | 'DENY';
}

/**
 * The answer to an {@link AccessRequest}. `cannotEvaluate` lists conditions the request did not
 * give (e.g. a `when` key); the decision then leans to DENY.
 *
 * @public
 */
export interface AccessDecision {
  decision: 'ALLOW' | 'DENY';
  reasons: AccessReason[];
  cannotEvaluate?: string[];
}

/**
 * A peer in the access graph: a workload, any meshed identity (e.g. a policy allowing every
 * authenticated caller), or an external plaintext client.
 *
 * @public
 */
export type Peer =
  | (WorkloadRef & { kind: string })
  | { kind: 'any-meshed' }
  | { kind: 'external-plaintext' };

/**
 * One edge of the access graph: who may call (or be called), on which port, and which layer
 * and policy decided it.
 *
 * @public
 */
export interface AccessEdge {
  peer: Peer;
  port: number;
  /** Present when the allowing rule restricts HTTP methods. */
  methods?: string[];
  /** Present when the allowing rule restricts HTTP paths. */
  paths?: string[];
  decidedBy: { layer: AccessLayer | 'default'; policy?: string };
  /** The mTLS mode of the receiving port (the target's side of the edge). */
  portMtls?: MtlsMode;
  /** Conditions that could not be evaluated (the edge may be narrower in reality). */
  cannotEvaluate?: string[];
}
