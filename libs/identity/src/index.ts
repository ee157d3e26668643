export { Identity, KEY_FILE, loadOrCreateIdentity, nodeIdFromPublicKey, verifySignature } from './identity.ts';
