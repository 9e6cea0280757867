/**
 * Mesh Security backend plugin: per-component mTLS, authorization and segmentation posture.
 *
 * @packageDocumentation
 */
export { meshSecurityPlugin as default } from './plugin';
