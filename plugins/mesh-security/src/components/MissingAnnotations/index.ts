export { MissingAnnotations } from './MissingAnnotations';
