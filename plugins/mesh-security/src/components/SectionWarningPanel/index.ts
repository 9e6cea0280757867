export { SectionWarningPanel } from './SectionWarningPanel';
