// Public API of the search lib: the local FTS5 index, flooded search with a TTL and a seen-cache,
// and the supernode role (index of leaves, forwarding among supernodes).
