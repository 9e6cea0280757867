import {
  Problems,
  checkArray,
  checkEnum,
  checkLabelSelector,
  checkNumber,
  checkObject,
  checkStringArray,
  isCidrLike,
  isObject,
} from './check';

/*
 * Structural checks for CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2,
 * the CRD types of cilium/cilium `pkg/policy/api` and "Layer 3 Examples" / "Layer 4 Examples" of
 * https://docs.cilium.io/en/stable/security/policy/language/): `spec` or `specs`, exactly one of
 * `endpointSelector` / `nodeSelector` per rule, well-formed selectors, entities, CIDRs and
 * ports. Fields the engine does not evaluate are left to the evaluation, which fails closed.
 */

const SERVED_VERSIONS = ['v2'];
const ENTITIES = [
  'all',
  'world',
  'world-ipv4',
  'world-ipv6',
  'cluster',
  'host',
  'remote-node',
  'kube-apiserver',
  'ingress',
  'init',
  'health',
  'unmanaged',
];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP', 'ANY'];

function checkPorts(p: Problems, path: string, v: unknown): void {
  if (!checkArray(p, path, v)) return;
  v.forEach((portRule, i) => {
    const at = `${path}[${i}]`;
    if (!checkObject(p, at, portRule, true)) return;
    if (!checkArray(p, `${at}.ports`, portRule.ports)) return;
    portRule.ports.forEach((entry, j) => {
      const e = `${at}.ports[${j}]`;
      if (!checkObject(p, e, entry, true)) return;
      const port = entry.port;
      const numeric =
        typeof port === 'number' ||
        (typeof port === 'string' && /^\d+$/.test(port));
      if (numeric)
        checkNumber(p, `${e}.port`, Number(port), { min: 0, max: 65535 });
      else if (
        port !== undefined &&
        (typeof port !== 'string' ||
          !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(port))
      )
        p.add(`${e}.port`, 'must be a port number or an IANA port name');
      checkNumber(p, `${e}.endPort`, entry.endPort, { min: 0, max: 65535 });
      if (
        numeric &&
        typeof entry.endPort === 'number' &&
        entry.endPort < Number(port)
      )
        p.add(`${e}.endPort`, 'must not be below port');
      checkEnum(
        p,
        `${e}.protocol`,
        typeof entry.protocol === 'string' && entry.protocol === ''
          ? undefined
          : entry.protocol,
        PROTOCOLS,
      );
    });
  });
}

function checkSection(
  p: Problems,
  path: string,
  v: unknown,
  direction: 'ingress' | 'egress',
): void {
  if (!checkArray(p, path, v)) return;
  const from = direction === 'ingress' ? 'from' : 'to';
  v.forEach((entry, i) => {
    const at = `${path}[${i}]`;
    if (!checkObject(p, at, entry, true)) return;
    const endpoints = entry[`${from}Endpoints`];
    if (checkArray(p, `${at}.${from}Endpoints`, endpoints))
      endpoints.forEach((s, j) =>
        checkLabelSelector(p, `${at}.${from}Endpoints[${j}]`, s),
      );
    const entities = entry[`${from}Entities`];
    if (checkStringArray(p, `${at}.${from}Entities`, entities))
      entities.forEach((entity, j) =>
        checkEnum(p, `${at}.${from}Entities[${j}]`, entity, ENTITIES),
      );
    const cidrs = entry[`${from}CIDR`];
    if (checkStringArray(p, `${at}.${from}CIDR`, cidrs))
      cidrs.forEach((c, j) => {
        if (!isCidrLike(c)) p.add(`${at}.${from}CIDR[${j}]`, 'invalid CIDR');
      });
    const sets = entry[`${from}CIDRSet`];
    if (checkArray(p, `${at}.${from}CIDRSet`, sets))
      sets.forEach((set, j) => {
        const s = `${at}.${from}CIDRSet[${j}]`;
        if (!checkObject(p, s, set, true)) return;
        if (set.cidr !== undefined && !isCidrLike(String(set.cidr)))
          p.add(`${s}.cidr`, 'invalid CIDR');
        if (
          set.cidr === undefined &&
          set.cidrGroupRef === undefined &&
          set.cidrGroupSelector === undefined
        )
          p.add(s, 'must set cidr, cidrGroupRef or cidrGroupSelector');
        if (checkStringArray(p, `${s}.except`, set.except))
          set.except.forEach((c, k) => {
            if (!isCidrLike(c)) p.add(`${s}.except[${k}]`, 'invalid CIDR');
          });
      });
    checkPorts(p, `${at}.toPorts`, entry.toPorts);
  });
}

function checkRule(p: Problems, path: string, rule: unknown): void {
  if (!checkObject(p, path, rule, true)) return;
  const endpoint = rule.endpointSelector;
  const node = rule.nodeSelector;
  const has = (v: unknown) => v !== undefined && v !== null;
  if (has(endpoint) === has(node))
    p.add(path, 'must set exactly one of endpointSelector and nodeSelector');
  checkLabelSelector(p, `${path}.endpointSelector`, endpoint);
  checkLabelSelector(p, `${path}.nodeSelector`, node);
  for (const direction of ['ingress', 'egress'] as const) {
    checkSection(p, `${path}.${direction}`, rule[direction], direction);
    checkSection(
      p,
      `${path}.${direction}Deny`,
      rule[`${direction}Deny`],
      direction,
    );
  }
  const defaultDeny = rule.enableDefaultDeny;
  if (checkObject(p, `${path}.enableDefaultDeny`, defaultDeny))
    for (const d of ['ingress', 'egress'])
      if (defaultDeny[d] !== undefined && typeof defaultDeny[d] !== 'boolean')
        p.add(`${path}.enableDefaultDeny.${d}`, 'must be a boolean');
}

/** Problems of a kept Cilium policy, version included; other kinds: none. */
export function validateCiliumKind(
  kind: string,
  version: string,
  raw: unknown,
): string[] {
  if (
    kind !== 'CiliumNetworkPolicy' &&
    kind !== 'CiliumClusterwideNetworkPolicy'
  )
    return [];
  if (!SERVED_VERSIONS.includes(version))
    return [
      `apiVersion: cilium.io/${version} is not a served version of ${kind}`,
    ];
  const p = new Problems();
  const object = isObject(raw) ? raw : {};
  const spec = object.spec;
  const specs = object.specs;
  if (spec === undefined && specs === undefined)
    p.add('spec', 'Required value: spec or specs');
  if (spec !== undefined) checkRule(p, 'spec', spec);
  if (checkArray(p, 'specs', specs))
    specs.forEach((rule, i) => checkRule(p, `specs[${i}]`, rule));
  return p.list;
}
