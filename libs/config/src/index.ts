// Public API of the node's configuration: the table of every setting (read from the libs'
// DEFAULT_* constants) and its loader. core keeps the generic machinery (schemas, presets, errors).
export { NODE_CONFIG, loadNodeConfig, admissionMode, type AdmissionMode, type NodeConfig } from './node-config.ts';
