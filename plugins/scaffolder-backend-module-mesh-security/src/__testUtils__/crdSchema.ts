import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/*
 * A structural validator for objects against the upstream CRDs' openAPIV3Schema (types,
 * properties, required, enum, items, maxItems/minItems, maxLength, int-or-string, preserve-unknown
 * fields). CEL rules (x-kubernetes-validations) are not evaluated here; the engine's reader
 * checks the semantic rules at run time.
 */

/**
 * The upstream CRDs kept as test data in the common package (provenance and licence in
 * `plugins/mesh-security-common/testdata/crds/README.md`).
 */
const crdDir = path.resolve(
  __dirname,
  '../../../mesh-security-common/testdata/crds',
);

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  maxItems?: number;
  minItems?: number;
  maxLength?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
};

/** Loads every CRD version schema: `group/version/Kind` → schema. */
export function loadCrdSchemas(): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const file of ['istio-crd-all.gen.yaml', 'linkerd-crds.yaml']) {
    for (const doc of parseAllDocuments(
      fs.readFileSync(path.join(crdDir, file), 'utf8'),
    )) {
      const crd = doc.toJS();
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      for (const v of crd.spec.versions ?? []) {
        if (v.schema?.openAPIV3Schema)
          out.set(
            `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`,
            v.schema.openAPIV3Schema,
          );
      }
    }
  }
  return out;
}

function check(
  value: unknown,
  schema: Schema,
  where: string,
  errors: string[],
) {
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value))
      errors.push(`${where}: must be an integer or a string`);
    return;
  }
  const t = schema.type;
  let actual: string = typeof value;
  if (Array.isArray(value)) actual = 'array';
  else if (value === null) actual = 'null';
  else if (Number.isInteger(value)) actual = 'integer';
  if (t && !(t === actual || (t === 'number' && actual === 'integer'))) {
    errors.push(`${where}: must be ${t}, is ${actual}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${where}: must be one of ${schema.enum.join(', ')}`);
  if (
    typeof value === 'string' &&
    schema.maxLength !== undefined &&
    value.length > schema.maxLength
  )
    errors.push(`${where}: too long`);
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(`${where}: too many items`);
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(`${where}: too few items`);
    if (schema.items)
      value.forEach((v, i) =>
        check(v, schema.items!, `${where}[${i}]`, errors),
      );
  } else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? [])
      if (!(r in obj)) errors.push(`${where}.${r}: Required value`);
    for (const [k, v] of Object.entries(obj)) {
      const sub =
        schema.properties?.[k] ??
        (typeof schema.additionalProperties === 'object'
          ? schema.additionalProperties
          : undefined);
      if (sub) check(v, sub, `${where}.${k}`, errors);
      else if (
        schema.properties &&
        !schema['x-kubernetes-preserve-unknown-fields'] &&
        schema.additionalProperties !== true
      )
        errors.push(`${where}.${k}: unknown field`);
    }
  }
}

/** Errors of one object against its CRD (unknown kinds are an error too). */
export function validateAgainstCrd(
  schemas: Map<string, Schema>,
  object: { apiVersion?: string; kind?: string; spec?: unknown },
): string[] {
  const schema = schemas.get(`${object.apiVersion}/${object.kind}`);
  if (!schema) return [`no CRD schema for ${object.apiVersion} ${object.kind}`];
  const errors: string[] = [];
  if (schema.properties?.spec && object.spec !== undefined)
    check(object.spec, schema.properties.spec, 'spec', errors);
  return errors;
}
