/**
 * Tech Insights facts about each component's mesh security posture, read from the Mesh Security
 * backend.
 *
 * @packageDocumentation
 */
export { techInsightsModuleMeshSecurity as default } from './module';
export {
  meshSecurityFactRetriever,
  MESH_SECURITY_FACT_RETRIEVER_ID,
} from './meshSecurityFactRetriever';
