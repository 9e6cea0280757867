import { Finding, FindingDefinition, ObjectRef } from '../../model';

/** Builds a finding from its definition; the message names the concrete objects. */
export function makeFinding(
  def: FindingDefinition,
  object: ObjectRef,
  message: string,
  fix?: string,
): Finding {
  return {
    code: def.code,
    severity: def.severity,
    message,
    fix: fix ?? def.fix,
    object,
  };
}
