import { ConfigLike } from './gitopsRepository';

/** A Kubernetes namespace name (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** At most this many platform namespaces. */
const MAX_PLATFORM_NAMESPACES = 200;

/**
 * Checks a list of platform namespaces (`EngineOptions.platformNamespaces`) given by `source`
 * (a config key or a command-line option, named in the error).
 *
 * @public
 */
export function checkPlatformNamespaces(
  names: string[],
  source: string,
): string[] {
  if (names.length > MAX_PLATFORM_NAMESPACES)
    throw new Error(
      `${source} takes at most ${MAX_PLATFORM_NAMESPACES} namespaces`,
    );
  const bad = names.find(name => !NAMESPACE_NAME.test(name));
  if (bad !== undefined)
    throw new Error(
      `${source}: ${JSON.stringify(bad)} is not a namespace name`,
    );
  return names;
}

/**
 * Reads `meshSecurity.platformNamespaces` (declared in this package's `config.d.ts`, read by the
 * backend and the scaffolder module alike); undefined when absent (the engine's defaults).
 *
 * @public
 */
export function readPlatformNamespaces(
  config: ConfigLike,
): string[] | undefined {
  const key = 'meshSecurity.platformNamespaces';
  const names = config.getOptionalStringArray(key);
  return names === undefined ? undefined : checkPlatformNamespaces(names, key);
}
