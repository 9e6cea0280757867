export {
  PostureDistribution,
  DistributionBar,
  describeDistribution,
} from './PostureDistribution';
