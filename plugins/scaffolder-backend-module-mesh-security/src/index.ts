/**
 * Scaffolder actions that request, revoke and enforce service access through pull requests.
 *
 * @packageDocumentation
 */
export { meshSecurityScaffolderModule as default } from './module';
