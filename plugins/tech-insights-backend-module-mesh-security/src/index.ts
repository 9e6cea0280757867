/**
 * Tech Insights facts about each component's mesh security posture.
 *
 * @packageDocumentation
 */
export {};
