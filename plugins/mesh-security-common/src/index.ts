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
export * from './entitySummary';
export * from './history';
export * from './facts';
export * from './client';
export * from './annotations';
export * from './accessChanges';
export * from './gitopsRepository';
export * from './platformNamespaces';
export {
  parseManifests,
  manifestBuildTool,
  DEFAULT_MANIFEST_LIMITS,
  DEFAULT_MANIFEST_SET_LIMITS,
} from './engine/core/manifests';
export type {
  ManifestCounts,
  ManifestError,
  ManifestLimits,
  ManifestSetLimits,
  ParsedManifests,
} from './engine/core/manifests';
export { kubectlYamlTags } from './engine/core/kubectlYaml';
export { escapeControlCharacters } from './escape';
export { githubFailure, githubRateLimit } from './githubErrors';
export type { GithubFailure } from './githubErrors';
export {
  istioPrincipal,
  linkerdIdentity,
  parseIstioPrincipal,
  parseLinkerdIdentity,
  parseMeshIdentity,
} from './engine/core/identities';
export type { ParsedMeshIdentity } from './engine/core/identities';
export {
  describeRouteMatches,
  httpRouteMatches,
  routeMatchOf,
} from './engine/linkerd/httpRoute';
export type {
  MatchRank,
  RouteMatch,
  ValueMatch,
} from './engine/linkerd/httpRoute';
export {
  gatewayPathMatch,
  routeMatchesOverlap,
  routeMatchKey,
  sameRouteMatches,
} from './engine/linkerd/httpRouteMatches';
export {
  istioPathCovers,
  istioPathSample,
  istioPathsIntersect,
} from './engine/istio/pathPatterns';
export { istioMeshConfigRevision, readObjects } from './engine/core/reader';
export {
  gatewayRouteOnServer,
  linkerdRefKind,
} from './engine/validate/linkerd';
export type { ReadOptions, ReadResult } from './engine/core/reader';
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
export { createIncrementalEvaluator } from './engine/incremental';
export type {
  ChangeScope,
  IncrementalEvaluator,
  IncrementalOptions,
  ObjectChange,
} from './engine/incremental';
export {
  certificateFindings,
  CLUSTER_WIDE_FINDING_CODES,
  concernsMeshes,
  FINDING_SCOPES,
  findingNamespace,
  findingScope,
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  detectNetworkPolicyEnforcement,
  enforcementFindings,
  findingDefinitions,
  findingDefinition,
  MESH_TRUST_ROOTS,
  meshCertificates,
} from './engine/findings';
export type {
  FindingScope,
  MeshCertificateOptions,
  ParsedCertificate,
} from './engine/findings';
export {
  atLeast,
  callerChange,
  estateImpact,
  findingChange,
  isMtlsDowngrade,
} from './impact';
export type {
  CallerChange,
  DecidingLayer,
  EstateImpact,
  LayerChange,
  PortImpact,
  WorkloadImpact,
} from './impact';
