export { Identity, KEY_FILE, loadOrCreateIdentity, nodeIdFromPublicKey, verifySignature } from './identity.ts';
export {
  type ClusterCa,
  type CertificateTriple,
  CLOCK_SKEW_MS,
  DEFAULT_CA_COMMON_NAME,
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_NODE_CERT_VALIDITY_MS,
  NODE_URI_PREFIX,
  createClusterCa,
  issueNodeCertificate,
  nodeIdFromCertificate,
  privateKeyPem,
  splitPemCertificates,
  verifyNodeCertificate,
} from './cluster-ca.ts';
