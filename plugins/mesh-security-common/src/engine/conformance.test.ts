import path from 'node:path';
import { ALL_ACCESS_CASES } from '../__testUtils__/cases/access';
import { FINDING_CASES } from '../__testUtils__/cases/findings';
import { MTLS_CASES } from '../__testUtils__/cases/mtls';
import { isCrdObject, loadCrdValidators } from '../__testUtils__/crdSchemas';
import {
  crdsDir,
  demoClusterDir,
  manifestFiles,
  readText,
} from '../__testUtils__/testdata';
import { parseManifests } from './core/manifests';

/*
 * Conformance with the real schemas: every Istio/Linkerd object in our test fixtures and in the
 * demo estate validates against the upstream CRDs (testdata/crds, see its README.md).
 */
describe('CRD schema conformance', () => {
  const crds = loadCrdValidators();
  const label = (o: Record<string, unknown>) =>
    `${String(o.kind)} ${String(
      (o.metadata as Record<string, unknown>)?.namespace ?? '',
    )}/${String((o.metadata as Record<string, unknown>)?.name)}`;

  it('has schemas for every kind the engine reads', () => {
    for (const key of [
      'security.istio.io/v1/PeerAuthentication',
      'security.istio.io/v1/AuthorizationPolicy',
      'networking.istio.io/v1/DestinationRule',
      'policy.linkerd.io/v1beta3/Server',
      'policy.linkerd.io/v1alpha1/AuthorizationPolicy',
      'policy.linkerd.io/v1alpha1/MeshTLSAuthentication',
      'policy.linkerd.io/v1alpha1/NetworkAuthentication',
      'policy.linkerd.io/v1beta1/ServerAuthorization',
      'policy.linkerd.io/v1beta3/HTTPRoute',
    ]) {
      expect(crds.validators.has(key)).toBe(true);
    }
  });

  it('detects a schema violation (the check is not vacuous)', () => {
    expect(
      crds.validate({
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'x' },
        spec: { mtls: { mode: 'BLAH' } },
      }),
    ).toBeDefined();
  });

  const fixtures = [
    ...MTLS_CASES,
    ...ALL_ACCESS_CASES,
    ...FINDING_CASES,
  ].flatMap(c =>
    c.objects
      .filter(isCrdObject)
      .map(o => [`${c.name}: ${label(o)}`, o] as const),
  );
  it.each(fixtures)('test fixture %s', (_n, o) =>
    expect(crds.validate(o)).toBeUndefined(),
  );

  const istioValid = ['authz', 'destinationrule', 'peerauth'].flatMap(
    n =>
      parseManifests(
        readText(path.join(crdsDir, 'istio-testdata', `${n}-valid.yaml`)),
      ).objects,
  );
  it('Istio valid fixtures validate (sanity of the schema loader)', () => {
    expect(istioValid.length).toBeGreaterThan(0);
    for (const o of istioValid)
      expect(crds.validate(o as Record<string, unknown>)).toBeUndefined();
  });

  const demoObjects = manifestFiles(demoClusterDir).flatMap(f =>
    parseManifests(readText(f), f)
      .objects.filter(isCrdObject)
      .map(o => [`${path.basename(f)}: ${label(o)}`, o] as const),
  );
  it.each(demoObjects)('demo estate %s', (_n, o) =>
    expect(crds.validate(o)).toBeUndefined(),
  );
});
