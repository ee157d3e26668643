// Limits shared by more than one layer (the wire codec, storage, the HTTP edge, the node's
// configuration). Each is declared here once, in the lowest lib, and imported everywhere else.

/**
 * Longest CID string accepted anywhere (a path parameter, a record, a message, a commit-log
 * record). A CIDv1 of a SHA-256 block is 59 characters in base32; the bound leaves room for other
 * bases and hashes while keeping a hostile string from costing a parse.
 */
export const MAX_CID_LENGTH = 128;

/** Most keywords one object record carries: enough to describe a file, few enough to index cheaply. */
export const MAX_KEYWORDS = 64;

/** Longest keyword, in characters (after NFC): a word or a short phrase, not a document. */
export const MAX_KEYWORD_LENGTH = 64;

/**
 * Longest `host:port` address of a peer (a seed, a contact's advertised address): a 253-character
 * DNS name, a port, and brackets around an IPv6 literal, with room to spare.
 */
export const MAX_ADDRESS_LENGTH = 300;
