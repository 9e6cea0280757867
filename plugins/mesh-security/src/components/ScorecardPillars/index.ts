export {
  ScorecardPillars,
  ScorecardSummary,
  PillarStatusIndicator,
  PILLARS,
} from './ScorecardPillars';
