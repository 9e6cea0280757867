export { ObservedTraffic, ObservedTrafficSummary } from './ObservedTraffic';
export {
  EDGE_TRAFFIC_LABELS,
  EDGE_TRAFFIC_ORDER,
  combineTrafficStatuses,
  edgeTrafficText,
  unmatchedOmittedText,
} from './edgeTraffic';
