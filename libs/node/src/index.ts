// Public API of the node assembly: one call builds, starts and (on stop) stops a whole node.
export { startNode, NODE_COMPONENTS, type StartNodeInit, type PeerweaveNode, type NodeComponentName, type NodeState } from './start-node.ts';
export type { LifecycleWrap } from './lifecycle.ts';
export { NodeCertificates, RENEW_AT_FRACTION, RENEW_RETRY_MS, type CertificateTriple, type AdmissionMode, type NodeCertificatesInit } from './node-certificates.ts';
