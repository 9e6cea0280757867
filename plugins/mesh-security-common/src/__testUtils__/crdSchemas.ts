import Ajv, { ValidateFunction } from 'ajv';
import path from 'node:path';
import { parseManifests } from '../engine/core/manifests';
import { crdsDir, readText } from './testdata';

/*
 * Validators built from the upstream CRDs' `openAPIV3Schema` (Node-only test helper). The
 * `x-kubernetes-*` extensions (CEL rules, int-or-string, preserve-unknown-fields) are stripped:
 * ajv cannot run CEL, which is why the reader checks those rules itself.
 */

type Json = Record<string, unknown>;

function strip(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strip);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] = strip(v);
  }
  // `x-kubernetes-int-or-string` fields carry `anyOf` (kept) or nothing; let them be any value.
  return out;
}

export interface CrdValidators {
  /** key `group/version/Kind` */
  validators: Map<string, ValidateFunction>;
  validate(object: Json): { key: string; errors: string[] } | undefined;
}

/** Validators for every CRD version in the test data (`testdata/crds`). */
export function loadCrdValidators(): CrdValidators {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
  });
  const validators = new Map<string, ValidateFunction>();
  for (const file of ['istio-crd-all.gen.yaml', 'linkerd-crds.yaml']) {
    for (const doc of parseManifests(readText(path.join(crdsDir, file)))
      .objects as Json[]) {
      if (doc.kind !== 'CustomResourceDefinition') continue;
      const spec = doc.spec as Json;
      const names = spec.names as Json;
      for (const v of (spec.versions as Json[]) ?? []) {
        const schema = (v.schema as Json | undefined)?.openAPIV3Schema;
        if (!schema) continue;
        validators.set(
          `${spec.group}/${v.name}/${names.kind}`,
          ajv.compile(strip(schema) as Json),
        );
      }
    }
  }
  return {
    validators,
    validate(object) {
      const key = `${String(object.apiVersion)}/${String(object.kind)}`;
      const fn = validators.get(key);
      if (!fn) return { key, errors: [`no CRD schema for ${key}`] };
      return fn(object)
        ? undefined
        : {
            key,
            errors: (fn.errors ?? []).map(
              e => `${e.instancePath} ${e.message}`,
            ),
          };
    },
  };
}

/** Istio and Linkerd API groups (the objects the CRDs describe). */
export const isCrdObject = (o: unknown): o is Json =>
  !!o &&
  typeof o === 'object' &&
  typeof (o as Json).apiVersion === 'string' &&
  /^(security\.istio\.io|networking\.istio\.io|policy\.linkerd\.io)\//.test(
    (o as Json).apiVersion as string,
  );
