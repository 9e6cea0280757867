export {
  ClusterWarnings,
  clusterHasProblem,
  describeClusterProblem,
} from './ClusterWarnings';
