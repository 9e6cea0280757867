import {
  Json,
  Problems,
  checkArray,
  checkEnum,
  checkLabelSelector,
  checkNumber,
  checkObject,
  checkString,
  checkStringArray,
  durationMs,
  isCidrLike,
  isObject,
} from './check';

/*
 * Structural checks for the Istio kinds we read, mirroring the CRD schemas in
 * istio/istio manifests/charts/base/files/crd-all.gen.yaml including their CEL rules
 * (`x-kubernetes-validations`), which JSON-schema validators cannot run.
 */

const PA_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
const TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];

/** PeerAuthentication (security.istio.io v1/v1beta1). */
export function validatePeerAuthentication(spec: unknown): string[] {
  const p = new Problems();
  if (spec === undefined || spec === null) return p.list; // an empty spec is valid: UNSET.
  if (!checkObject(p, 'spec', spec)) return p.list;
  if (checkObject(p, 'spec.mtls', spec.mtls))
    checkEnum(p, 'spec.mtls.mode', spec.mtls.mode, PA_MODES);
  checkLabelSelector(p, 'spec.selector', spec.selector, true);
  const plm = spec.portLevelMtls;
  if (checkObject(p, 'spec.portLevelMtls', plm)) {
    const keys = Object.keys(plm);
    if (keys.length === 0)
      p.add('spec.portLevelMtls', 'in body should have at least 1 properties');
    for (const key of keys) {
      // CEL: self.all(key, 0 < int(key) && int(key) <= 65535); a non-integer key fails int().
      if (!/^\d+$/.test(key))
        p.add(
          `spec.portLevelMtls[${key}]`,
          'type conversion error from string to int',
        );
      else if (Number(key) < 1 || Number(key) > 65535)
        p.add(`spec.portLevelMtls[${key}]`, 'port must be between 1-65535');
      const value = plm[key];
      if (checkObject(p, `spec.portLevelMtls[${key}]`, value)) {
        checkEnum(p, `spec.portLevelMtls[${key}].mode`, value.mode, PA_MODES);
      }
    }
    // CEL: portLevelMtls requires a selector with at least one matchLabels entry.
    const ml =
      isObject(spec.selector) && isObject(spec.selector.matchLabels)
        ? spec.selector.matchLabels
        : {};
    if (Object.keys(ml).length === 0)
      p.add('spec', 'portLevelMtls requires selector');
  }
  return p.list;
}

function checkSource(p: Problems, path: string, source: unknown): void {
  if (!checkObject(p, path, source)) return;
  const lists = [
    'principals',
    'notPrincipals',
    'requestPrincipals',
    'notRequestPrincipals',
    'namespaces',
    'notNamespaces',
    'ipBlocks',
    'notIpBlocks',
    'remoteIpBlocks',
    'notRemoteIpBlocks',
    'trustDomains',
    'notTrustDomains',
  ];
  for (const key of lists) checkStringArray(p, `${path}.${key}`, source[key]);
  for (const key of ['serviceAccounts', 'notServiceAccounts']) {
    if (checkStringArray(p, `${path}.${key}`, source[key], 16)) {
      (source[key] as string[]).forEach((s, i) => {
        if (s.length > 320)
          p.add(`${path}.${key}[${i}]`, 'may not be longer than 320');
      });
    }
  }
  // CEL: "Cannot set serviceAccounts with namespaces or principals".
  const has = (k: string) => source[k] !== undefined && source[k] !== null;
  if (
    (has('serviceAccounts') || has('notServiceAccounts')) &&
    (has('principals') ||
      has('notPrincipals') ||
      has('namespaces') ||
      has('notNamespaces'))
  ) {
    p.add(path, 'Cannot set serviceAccounts with namespaces or principals');
  }
}

function checkOperation(p: Problems, path: string, op: unknown): void {
  if (!checkObject(p, path, op)) return;
  for (const key of [
    'hosts',
    'notHosts',
    'ports',
    'notPorts',
    'methods',
    'notMethods',
    'paths',
    'notPaths',
  ]) {
    checkStringArray(p, `${path}.${key}`, op[key]);
  }
}

function checkTargetRef(p: Problems, path: string, ref: unknown): void {
  if (!checkObject(p, path, ref)) return;
  checkString(p, `${path}.kind`, ref.kind, true);
  checkString(p, `${path}.name`, ref.name, true);
  if (typeof ref.namespace === 'string' && ref.namespace.length > 0) {
    p.add(
      `${path}.namespace`,
      'cross namespace referencing is not currently supported',
    );
  }
}

/** AuthorizationPolicy (security.istio.io v1/v1beta1). */
export function validateAuthorizationPolicy(spec: unknown): string[] {
  const p = new Problems();
  if (spec === undefined || spec === null) return p.list;
  if (!checkObject(p, 'spec', spec)) return p.list;
  checkEnum(p, 'spec.action', spec.action, [
    'ALLOW',
    'DENY',
    'AUDIT',
    'CUSTOM',
  ]);
  if (
    spec.provider !== undefined &&
    checkObject(p, 'spec.provider', spec.provider)
  ) {
    checkString(p, 'spec.provider.name', spec.provider.name);
  }
  checkLabelSelector(p, 'spec.selector', spec.selector, true);
  if (spec.targetRef !== undefined)
    checkTargetRef(p, 'spec.targetRef', spec.targetRef);
  if (checkArray(p, 'spec.targetRefs', spec.targetRefs)) {
    if (spec.targetRefs.length > 16)
      p.add('spec.targetRefs', 'must have at most 16 items');
    spec.targetRefs.forEach((r, i) =>
      checkTargetRef(p, `spec.targetRefs[${i}]`, r),
    );
  }
  const scopes = ['selector', 'targetRef', 'targetRefs'].filter(
    k => spec[k] !== undefined && spec[k] !== null,
  );
  if (scopes.length > 1)
    p.add('spec', 'only one of targetRefs or selector can be set');
  if (checkArray(p, 'spec.rules', spec.rules)) {
    if (spec.rules.length > 512)
      p.add('spec.rules', 'must have at most 512 items');
    spec.rules.forEach((rule, i) => {
      const rp = `spec.rules[${i}]`;
      if (!checkObject(p, rp, rule)) return;
      if (checkArray(p, `${rp}.from`, rule.from)) {
        rule.from.forEach((f, j) => {
          if (checkObject(p, `${rp}.from[${j}]`, f))
            checkSource(p, `${rp}.from[${j}].source`, f.source);
        });
      }
      if (checkArray(p, `${rp}.to`, rule.to)) {
        rule.to.forEach((t, j) => {
          if (checkObject(p, `${rp}.to[${j}]`, t))
            checkOperation(p, `${rp}.to[${j}].operation`, t.operation);
        });
      }
      if (checkArray(p, `${rp}.when`, rule.when)) {
        rule.when.forEach((w, j) => {
          const wp = `${rp}.when[${j}]`;
          if (!checkObject(p, wp, w)) return;
          checkString(p, `${wp}.key`, w.key, true);
          checkStringArray(p, `${wp}.values`, w.values);
          checkStringArray(p, `${wp}.notValues`, w.notValues);
        });
      }
    });
  }
  if (p.list.length === 0) checkAuthorizationWebhookRules(p, spec);
  return p.list;
}

const SOURCE_FIELDS = [
  'principals',
  'requestPrincipals',
  'namespaces',
  'ipBlocks',
  'remoteIpBlocks',
  'notPrincipals',
  'notRequestPrincipals',
  'notNamespaces',
  'notIpBlocks',
  'notRemoteIpBlocks',
];
const OPERATION_FIELDS = [
  'ports',
  'methods',
  'paths',
  'hosts',
  'notPorts',
  'notMethods',
  'notPaths',
  'notHosts',
];
/** Fields that make a source non-empty: those the check lists, and newer ones it does not. */
const SET_SOURCE_FIELDS = [
  ...SOURCE_FIELDS,
  'serviceAccounts',
  'notServiceAccounts',
  'trustDomains',
  'notTrustDomains',
];
const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

/**
 * What Istio's own validation refuses beyond the CRD schema (istiod's validating webhook, on by
 * default, and `istioctl validate`: `ValidateAuthorizationPolicy` in istio/istio
 * pkg/config/validation), on a spec that passed the structural checks. Such a policy never
 * reaches the cluster: read as written, `to: [{operation: {}}]` would allow every operation.
 */
function checkAuthorizationWebhookRules(p: Problems, spec: Json): void {
  const refuse = (path: string, message: string) =>
    p.add(path, `${message} (Istio's validation refuses the policy)`);
  const action = spec.action ?? 'ALLOW';
  const rules = spec.rules as unknown[] | undefined | null;
  // A DENY or CUSTOM policy without rules is refused too, but it has no effect either way:
  // MS2xx findings report it (docs/findings.md).
  if (action === 'CUSTOM') {
    if (rules && (!isObject(spec.provider) || !spec.provider.name))
      refuse('spec.provider.name', 'must not be empty');
  } else if (spec.provider !== undefined && spec.provider !== null) {
    refuse('spec.provider', `must not be set with action ${action}`);
  }
  (rules ?? []).forEach((rule, i) => {
    const rp = `spec.rules[${i}]`;
    if (!isObject(rule)) {
      refuse(rp, 'must not be null');
      return;
    }
    const from = rule.from as unknown[] | undefined | null;
    if (Array.isArray(from) && from.length === 0)
      refuse(`${rp}.from`, 'must not be an empty list');
    (from ?? []).forEach((f, j) => {
      const fp = `${rp}.from[${j}]`;
      const source = isObject(f) ? f.source : undefined;
      if (!isObject(source)) {
        refuse(`${fp}.source`, 'must not be null');
        return;
      }
      if (!SET_SOURCE_FIELDS.some(k => nonEmpty(source[k])))
        refuse(`${fp}.source`, 'must not be empty');
      for (const key of SOURCE_FIELDS) {
        const values = (source[key] as string[] | undefined) ?? [];
        if (values.includes(''))
          refuse(`${fp}.source.${key}`, 'must not contain an empty value');
        if (key.toLowerCase().endsWith('ipblocks')) {
          for (const v of values.filter(x => x !== '' && !isCidrLike(x)))
            refuse(`${fp}.source.${key}`, `bad IP address or CIDR (${v})`);
        }
      }
      if (action === 'CUSTOM') {
        for (const key of [
          'namespaces',
          'notNamespaces',
          'principals',
          'notPrincipals',
          'requestPrincipals',
          'notRequestPrincipals',
        ]) {
          if (nonEmpty(source[key]))
            refuse(
              `${fp}.source.${key}`,
              'is not supported with CUSTOM action',
            );
        }
      }
    });
    const to = rule.to as unknown[] | undefined | null;
    if (Array.isArray(to) && to.length === 0)
      refuse(`${rp}.to`, 'must not be an empty list');
    (to ?? []).forEach((t, j) => {
      const tp = `${rp}.to[${j}]`;
      const op = isObject(t) ? t.operation : undefined;
      if (!isObject(op)) {
        refuse(`${tp}.operation`, 'must not be null');
        return;
      }
      if (!OPERATION_FIELDS.some(k => nonEmpty(op[k])))
        refuse(`${tp}.operation`, 'must not be empty');
      for (const key of OPERATION_FIELDS) {
        const values = (op[key] as string[] | undefined) ?? [];
        if (values.includes(''))
          refuse(`${tp}.operation.${key}`, 'must not contain an empty value');
        if (key === 'ports' || key === 'notPorts') {
          for (const v of values.filter(
            x => x !== '' && (!/^\d+$/.test(x) || Number(x) > 65535),
          ))
            refuse(`${tp}.operation.${key}`, `bad port (${v})`);
        }
      }
    });
    ((rule.when as unknown[] | undefined) ?? []).forEach((w, j) => {
      const wp = `${rp}.when[${j}]`;
      if (!isObject(w)) return;
      if (w.key === '') refuse(`${wp}.key`, 'must not be empty');
      else if (!nonEmpty(w.values) && !nonEmpty(w.notValues))
        refuse(wp, `at least one of \`values\` or \`notValues\` must be set`);
      if (
        action === 'CUSTOM' &&
        typeof w.key === 'string' &&
        (w.key === 'source.namespace' ||
          w.key === 'source.principal' ||
          w.key.startsWith('request.auth.'))
      )
        refuse(`${wp}.key`, `${w.key} is not supported with CUSTOM action`);
    });
  });
}

function checkTrafficPolicy(p: Problems, path: string, tp: unknown): void {
  if (!checkObject(p, path, tp)) return;
  if (checkObject(p, `${path}.tls`, tp.tls))
    checkEnum(p, `${path}.tls.mode`, tp.tls.mode, TLS_MODES);
  if (checkObject(p, `${path}.loadBalancer`, tp.loadBalancer)) {
    const lb = tp.loadBalancer as Json;
    if (checkObject(p, `${path}.loadBalancer.warmup`, lb.warmup)) {
      const w = lb.warmup as Json;
      const wp = `${path}.loadBalancer.warmup`;
      if (checkString(p, `${wp}.duration`, w.duration, true)) {
        const ms = durationMs(w.duration as string);
        // CEL: duration(self) >= duration('1ms').
        if (ms === undefined || ms < 1)
          p.add(`${wp}.duration`, 'must be a valid duration greater than 1ms');
      }
      checkNumber(p, `${wp}.minimumPercent`, w.minimumPercent, {
        min: 0,
        max: 100,
      });
      checkNumber(p, `${wp}.aggression`, w.aggression, { min: 0 });
    }
  }
  if (checkArray(p, `${path}.portLevelSettings`, tp.portLevelSettings)) {
    tp.portLevelSettings.forEach((s, i) => {
      const sp = `${path}.portLevelSettings[${i}]`;
      if (!checkObject(p, sp, s)) return;
      if (checkObject(p, `${sp}.tls`, s.tls))
        checkEnum(p, `${sp}.tls.mode`, s.tls.mode, TLS_MODES);
      if (s.port !== undefined && checkObject(p, `${sp}.port`, s.port)) {
        checkNumber(p, `${sp}.port.number`, s.port.number, {
          min: 0,
          max: 4294967295,
        });
      }
    });
  }
}

/** DestinationRule (networking.istio.io v1/v1beta1/v1alpha3). */
export function validateDestinationRule(spec: unknown): string[] {
  const p = new Problems();
  if (!checkObject(p, 'spec', spec, true)) return p.list;
  checkString(p, 'spec.host', spec.host, true);
  if (spec.trafficPolicy !== undefined)
    checkTrafficPolicy(p, 'spec.trafficPolicy', spec.trafficPolicy);
  if (checkArray(p, 'spec.subsets', spec.subsets)) {
    spec.subsets.forEach((s, i) => {
      if (!checkObject(p, `spec.subsets[${i}]`, s)) return;
      checkString(p, `spec.subsets[${i}].name`, s.name, true);
      if (s.trafficPolicy !== undefined)
        checkTrafficPolicy(
          p,
          `spec.subsets[${i}].trafficPolicy`,
          s.trafficPolicy,
        );
    });
  }
  if (spec.workloadSelector !== undefined)
    checkLabelSelector(p, 'spec.workloadSelector', spec.workloadSelector, true);
  checkStringArray(p, 'spec.exportTo', spec.exportTo);
  return p.list;
}
