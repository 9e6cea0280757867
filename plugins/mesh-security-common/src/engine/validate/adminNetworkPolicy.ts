import {
  Problems,
  checkArray,
  checkEnum,
  checkLabelSelector,
  checkNumber,
  checkObject,
  checkString,
  checkStringArray,
  isCidrLike,
} from './check';

/*
 * Structural checks for AdminNetworkPolicy and BaselineAdminNetworkPolicy
 * (policy.networking.k8s.io/v1alpha1, the API reference
 * https://network-policy-api.sigs.k8s.io/reference/spec/): the CRD's required fields, enums,
 * ranges, "exactly one field" of subjects, peers and ports, and the BaselineAdminNetworkPolicy
 * name `default`. A peer with none of the known fields is left to the evaluation, which fails
 * closed on it as upstream asks of a newer CRD.
 */

const SERVED_VERSIONS = ['v1alpha1'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** At most one of `keys` is set (CRD `MaxProperties=1`); returns how many are. */
function oneOf(p: Problems, path: string, v: Record<string, unknown>) {
  const set = Object.keys(v).filter(k => v[k] !== undefined && v[k] !== null);
  if (set.length > 1)
    p.add(path, `must have at most 1 field, has ${set.join(', ')}`);
  return set.length;
}

function checkNamespacedPod(p: Problems, path: string, v: unknown): void {
  if (!checkObject(p, path, v, true)) return;
  for (const key of ['namespaceSelector', 'podSelector'] as const) {
    if (v[key] === undefined || v[key] === null)
      p.add(`${path}.${key}`, 'Required value');
    else checkLabelSelector(p, `${path}.${key}`, v[key]);
  }
}

function checkSubject(p: Problems, path: string, v: unknown): void {
  if (!checkObject(p, path, v, true)) return;
  oneOf(p, path, v);
  if (v.namespaces === undefined && v.pods === undefined)
    p.add(path, 'must set namespaces or pods');
  if (v.namespaces !== undefined)
    checkLabelSelector(p, `${path}.namespaces`, v.namespaces);
  if (v.pods !== undefined) checkNamespacedPod(p, `${path}.pods`, v.pods);
}

function checkPeer(
  p: Problems,
  path: string,
  v: unknown,
  egress: boolean,
): void {
  if (!checkObject(p, path, v, true)) return;
  oneOf(p, path, v);
  if (v.namespaces !== undefined)
    checkLabelSelector(p, `${path}.namespaces`, v.namespaces);
  if (v.pods !== undefined) checkNamespacedPod(p, `${path}.pods`, v.pods);
  if (!egress) return;
  if (v.nodes !== undefined) checkLabelSelector(p, `${path}.nodes`, v.nodes);
  if (checkStringArray(p, `${path}.networks`, v.networks, 25))
    (v.networks as string[]).forEach((cidr, i) => {
      if (!isCidrLike(cidr) || !cidr.includes('/'))
        p.add(`${path}.networks[${i}]`, `invalid CIDR "${cidr}"`);
    });
  checkStringArray(p, `${path}.domainNames`, v.domainNames, 25);
}

function checkPorts(p: Problems, path: string, v: unknown): void {
  if (!checkArray(p, path, v)) return;
  if (v.length > 100) p.add(path, 'must have at most 100 items');
  v.forEach((entry, i) => {
    const ep = `${path}[${i}]`;
    if (!checkObject(p, ep, entry, true)) return;
    if (oneOf(p, ep, entry) === 0) p.add(ep, 'must have at least 1 field');
    if (checkObject(p, `${ep}.portNumber`, entry.portNumber)) {
      const n = entry.portNumber;
      checkEnum(p, `${ep}.portNumber.protocol`, n.protocol, PROTOCOLS);
      if (typeof n.port !== 'number')
        p.add(`${ep}.portNumber.port`, 'Required value');
      checkNumber(p, `${ep}.portNumber.port`, n.port, { min: 1, max: 65535 });
    }
    checkString(p, `${ep}.namedPort`, entry.namedPort);
    if (checkObject(p, `${ep}.portRange`, entry.portRange)) {
      const r = entry.portRange;
      checkEnum(p, `${ep}.portRange.protocol`, r.protocol, PROTOCOLS);
      for (const key of ['start', 'end'] as const) {
        if (typeof r[key] !== 'number')
          p.add(`${ep}.portRange.${key}`, 'Required value');
        checkNumber(p, `${ep}.portRange.${key}`, r[key], {
          min: 1,
          max: 65535,
        });
      }
      if (
        typeof r.start === 'number' &&
        typeof r.end === 'number' &&
        r.start >= r.end
      )
        p.add(`${ep}.portRange`, 'start must be less than end');
    }
  });
}

function checkRules(
  p: Problems,
  spec: Record<string, unknown>,
  actions: string[],
): void {
  for (const [key, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    if (!checkArray(p, `spec.${key}`, spec[key])) continue;
    const rules = spec[key] as unknown[];
    if (rules.length > 100) p.add(`spec.${key}`, 'must have at most 100 items');
    rules.forEach((rule, i) => {
      const rp = `spec.${key}[${i}]`;
      if (!checkObject(p, rp, rule, true)) return;
      if (checkString(p, `${rp}.name`, rule.name) && rule.name.length > 100)
        p.add(`${rp}.name`, 'must be no more than 100 characters');
      if (rule.action === undefined) p.add(`${rp}.action`, 'Required value');
      checkEnum(p, `${rp}.action`, rule.action, actions);
      const peers = rule[peersKey];
      if (checkArray(p, `${rp}.${peersKey}`, peers, true)) {
        if (peers.length === 0)
          p.add(`${rp}.${peersKey}`, 'must have at least 1 item');
        peers.forEach((peer, j) =>
          checkPeer(p, `${rp}.${peersKey}[${j}]`, peer, key === 'egress'),
        );
      }
      checkPorts(p, `${rp}.ports`, rule.ports);
    });
  }
}

/** AdminNetworkPolicy (v1alpha1). */
function validateAdminNetworkPolicy(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  if (typeof spec.priority !== 'number' || !Number.isInteger(spec.priority))
    p.add('spec.priority', 'Required value: an integer');
  checkNumber(p, 'spec.priority', spec.priority, { min: 0, max: 1000 });
  checkSubject(p, 'spec.subject', spec.subject);
  checkRules(p, spec, ['Allow', 'Deny', 'Pass']);
  return p.list;
}

/** BaselineAdminNetworkPolicy (v1alpha1): a singleton named `default`; no Pass, no priority. */
function validateBaselineAdminNetworkPolicy(
  spec: unknown,
  name: string,
): string[] {
  const p = new Problems();
  if (name !== 'default')
    p.add(
      'metadata.name',
      'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
    );
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  checkSubject(p, 'spec.subject', spec.subject);
  checkRules(p, spec, ['Allow', 'Deny']);
  return p.list;
}

/** Problems of a kept (Baseline)AdminNetworkPolicy, version included; other kinds: none. */
export function validateAdminKind(
  kind: string,
  version: string,
  name: string,
  spec: unknown,
): string[] {
  if (kind !== 'AdminNetworkPolicy' && kind !== 'BaselineAdminNetworkPolicy')
    return [];
  if (!SERVED_VERSIONS.includes(version))
    return [
      `apiVersion: policy.networking.k8s.io/${version} is not a served version of ${kind}`,
    ];
  return kind === 'AdminNetworkPolicy'
    ? validateAdminNetworkPolicy(spec)
    : validateBaselineAdminNetworkPolicy(spec, name);
}
