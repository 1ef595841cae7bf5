export { testCertificate } from './test-certificate';
