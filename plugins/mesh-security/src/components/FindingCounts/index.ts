export {
  FindingCounts,
  SeverityChip,
  SEVERITIES,
  severityColor,
} from './FindingCounts';
