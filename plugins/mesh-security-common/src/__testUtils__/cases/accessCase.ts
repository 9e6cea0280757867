import { AccessRequest } from '../../model';
import { EngineOptions } from '../../engine/core/options';
import { Obj } from '../k8s';

/** One documented access rule: objects and a request in, a decision (and deciding layer) out. */
export interface AccessCase {
  name: string;
  objects: Obj[];
  options?: EngineOptions;
  request: Partial<AccessRequest>;
  decision: 'ALLOW' | 'DENY';
  /** The layer that denies (DENY cases) or names the allowing policy. */
  layer?: 'mtls' | 'authorization' | 'network-policy';
  policy?: string;
  cannotEvaluate?: boolean;
  /** A phrase the reason of the deciding layer must contain. */
  message?: RegExp;
}
