export { FindingCounts, SeverityChip, severityColor } from './FindingCounts';
