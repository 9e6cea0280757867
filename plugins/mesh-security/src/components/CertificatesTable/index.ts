export { CertificatesTable } from './CertificatesTable';
