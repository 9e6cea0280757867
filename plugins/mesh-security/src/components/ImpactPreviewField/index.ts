export { ImpactPreviewField, previewSummary } from './ImpactPreviewField';
export type { ImpactPreviewFieldProps } from './ImpactPreviewField';
