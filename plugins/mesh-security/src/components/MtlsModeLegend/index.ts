export { MtlsModeHelp, MtlsModeLegend } from './MtlsModeLegend';
