import {
  Problems,
  checkArray,
  checkEnum,
  checkLabelSelector,
  checkNumber,
  checkObject,
  checkString,
} from './check';

/*
 * Structural checks for Gateway API `Gateway` (gateway.networking.k8s.io v1, v1beta1), read as
 * Istio waypoints (docs/engine.md "Ambient waypoints"): the CRD's required `gatewayClassName`
 * and `listeners` (1–64, each with `name`, `port` 1–65535 and `protocol`), and the
 * `allowedRoutes.namespaces.from` enum (Gateway API reference, "Gateway", "Listener",
 * "RouteNamespaces").
 */

const SERVED_VERSIONS = ['v1', 'v1beta1'];

/** GRPCRoute: v1 since Gateway API v1.1, v1alpha2 before (kept for not-evaluated verdicts). */
const GRPC_ROUTE_VERSIONS = ['v1', 'v1alpha2'];

/** The problems of a `gateway.networking.k8s.io` Gateway (or GRPCRoute's version); other kinds have none. */
export function validateGatewayKind(
  kind: string,
  group: string,
  version: string,
  spec: unknown,
): string[] {
  if (group !== 'gateway.networking.k8s.io') return [];
  if (kind === 'GRPCRoute')
    return GRPC_ROUTE_VERSIONS.includes(version)
      ? []
      : [
          `apiVersion: ${group}/${version} is not a served version of GRPCRoute`,
        ];
  if (kind !== 'Gateway') return [];
  const p = new Problems();
  if (!SERVED_VERSIONS.includes(version))
    p.add(
      'apiVersion',
      `${group}/${version} is not a served version of Gateway`,
    );
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  if (
    checkString(p, 'spec.gatewayClassName', spec.gatewayClassName, true) &&
    (spec.gatewayClassName.length === 0 || spec.gatewayClassName.length > 253)
  )
    p.add('spec.gatewayClassName', 'must be 1-253 characters');
  if (checkArray(p, 'spec.listeners', spec.listeners, true)) {
    if (spec.listeners.length < 1 || spec.listeners.length > 64)
      p.add('spec.listeners', 'must have 1-64 items');
    spec.listeners.forEach((listener, i) => {
      const path = `spec.listeners[${i}]`;
      if (!checkObject(p, path, listener, true)) return;
      checkString(p, `${path}.name`, listener.name, true);
      checkString(p, `${path}.protocol`, listener.protocol, true);
      if (listener.port === undefined || listener.port === null)
        p.add(`${path}.port`, 'Required value');
      else
        checkNumber(p, `${path}.port`, listener.port, { min: 1, max: 65535 });
      const allowed = listener.allowedRoutes;
      if (!checkObject(p, `${path}.allowedRoutes`, allowed)) return;
      const namespaces = allowed.namespaces;
      if (!checkObject(p, `${path}.allowedRoutes.namespaces`, namespaces))
        return;
      checkEnum(p, `${path}.allowedRoutes.namespaces.from`, namespaces.from, [
        'All',
        'Selector',
        'Same',
      ]);
      if (namespaces.selector !== undefined)
        checkLabelSelector(
          p,
          `${path}.allowedRoutes.namespaces.selector`,
          namespaces.selector,
        );
    });
  }
  return p.list;
}
