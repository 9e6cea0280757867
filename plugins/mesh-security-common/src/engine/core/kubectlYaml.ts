import type { ScalarTag, Tags } from 'yaml';

/*
 * kubectl, Helm and Istio read YAML with sigs.k8s.io/yaml, whose parser (a fork of go-yaml v2)
 * resolves plain scalars as YAML 1.1 does where YAML 1.2 (the `yaml` package's default) reads
 * them otherwise:
 *
 * - `y`, `yes`, `on` (in three casings) are true and `n`, `no`, `off` false, where YAML 1.2 reads
 *   strings. `trusted: yes` as a label is a boolean for kubectl, which refuses the object
 *   ("cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string");
 *   read as the string "yes", the object would look valid and its selector would seem to select.
 * - A scalar that starts with a digit or a sign is read by Go's `strconv.ParseInt(s, 0, 64)`
 *   once every `_` is removed: `0443` is octal (291), `0b101` binary, `8_080` is 8080; failing
 *   that, by `ParseUint`, then as a decimal float (`08080` is 8080). YAML 1.2 reads `0443` as 443
 *   and `8_080` as a string.
 *
 * Timestamps stay strings (go-yaml v2 keeps them so when decoding into an interface, as
 * sigs.k8s.io/yaml does), and there are no sexagesimal numbers (`1:30` is a string).
 */

const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const TRUE = /^(?:[Yy]|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE = /^(?:[Nn]|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

const kubectlBool: ScalarTag = {
  identify: value => typeof value === 'boolean',
  default: true,
  tag: BOOL,
  test: new RegExp(`${TRUE.source}|${FALSE.source}`),
  resolve: source => TRUE.test(source),
  // An untouched scalar keeps the spelling it was read with (`yes` stays `yes`).
  stringify: ({ source, value }) =>
    typeof source === 'string' && TRUE.test(source) === value
      ? source
      : String(value),
};

/** Go's `ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`: undefined when both fail. */
function goInteger(s: string): number | undefined {
  const m =
    /^([-+]?)(?:0([xX])([0-9a-fA-F]+)|0([oO])([0-7]+)|0([bB])([01]+)|0([0-7]*)|([1-9][0-9]*))$/.exec(
      s,
    );
  if (!m) return undefined;
  const [, sign, x, hex, o, oct, b, bin, octal, decimal] = m;
  let magnitude: bigint;
  if (x) magnitude = BigInt(`0x${hex}`);
  else if (o) magnitude = BigInt(`0o${oct}`);
  else if (b) magnitude = BigInt(`0b${bin}`);
  else if (octal !== undefined) magnitude = octal ? BigInt(`0o${octal}`) : 0n;
  else magnitude = BigInt(decimal);
  const value = sign === '-' ? -magnitude : magnitude;
  // ParseInt's int64, else ParseUint's uint64 (which takes no sign).
  const fits =
    (value >= -(2n ** 63n) && value < 2n ** 63n) ||
    (sign === '' && value < 2n ** 64n);
  return fits ? Number(value) : undefined;
}

/** How sigs.k8s.io/yaml reads a plain scalar that starts with a digit or a sign, if a number. */
function goNumber(source: string): number | undefined {
  if (!/^[-+0-9]/.test(source)) return undefined;
  const plain = source.replace(/_/g, '');
  const integer = goInteger(plain);
  if (integer !== undefined) return integer;
  return /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/.test(
    plain,
  )
    ? Number(plain)
    : undefined;
}

/** A pattern for the `yaml` package whose test is {@link goNumber}. */
class GoNumberPattern extends RegExp {
  test(source: string): boolean {
    return goNumber(source) !== undefined;
  }
}

const kubectlNumber: ScalarTag = {
  identify: value => typeof value === 'number' && Number.isInteger(value),
  default: true,
  tag: INT,
  test: new GoNumberPattern('^[-+0-9]'),
  resolve: source => goNumber(source) ?? Number.NaN,
  stringify: ({ source, value }) =>
    typeof source === 'string' && goNumber(source) === value
      ? source
      : String(value),
};

/**
 * `customTags` for the `yaml` package that read plain scalars as kubectl does: YAML 1.2's core
 * schema with YAML 1.1's booleans (`yes`, `no`, `on`, `off`, `y`, `n`) and Go's reading of
 * numbers (`0443` octal, `8_080` with its underscore). A string written with these tags is
 * quoted when kubectl would read it as something else (`"no"`, `"0443"`).
 *
 * @public
 */
export function kubectlYamlTags(tags: Tags): Tags {
  return [
    kubectlBool,
    kubectlNumber,
    ...tags.filter(tag =>
      typeof tag === 'string'
        ? tag !== 'bool' && !tag.startsWith('int')
        : tag.tag !== BOOL && tag.tag !== INT,
    ),
  ];
}
