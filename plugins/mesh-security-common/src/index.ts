/**
 * Mesh Security common library: domain model, the evaluation engine (Kubernetes, Istio and
 * Linkerd objects in; mTLS, authorization and network-policy verdicts out), permissions, and the
 * REST client of the backend's API. Runs in Node and in the browser; the only I/O is the
 * client's, through the fetch it is given.
 *
 * @packageDocumentation
 */

export * from './model';
export * from './permissions';
export * from './api';
export * from './client';
export * from './annotations';
export * from './accessChanges';
export * from './gitopsRepository';
export * from './platformNamespaces';
export {
  parseManifests,
  DEFAULT_MANIFEST_LIMITS,
  DEFAULT_MANIFEST_SET_LIMITS,
} from './engine/manifests';
export type {
  ManifestCounts,
  ManifestError,
  ManifestLimits,
  ManifestSetLimits,
  ParsedManifests,
} from './engine/manifests';
export { escapeControlCharacters } from './escape';
export { githubFailure, githubRateLimit } from './githubErrors';
export type { GithubFailure } from './githubErrors';
export { readObjects } from './engine/reader';
export type { ReadOptions, ReadResult } from './engine/reader';
export {
  createEngine,
  WorkloadNotFoundError,
  combineScorecards,
} from './engine';
export type {
  AccessGraph,
  AccessGraphStats,
  Engine,
  EngineInput,
  EngineOptions,
  Evaluation,
  TrafficJoin,
} from './engine';
export { findingDefinitions, findingDefinition } from './engine/findings';
