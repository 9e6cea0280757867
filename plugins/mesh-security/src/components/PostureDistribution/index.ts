export {
  PostureDistribution,
  DistributionBar,
  describeDistribution,
  MODES,
} from './PostureDistribution';
