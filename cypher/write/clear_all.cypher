// params: -
// returns: nothing; deletes every node and relationship in batches (schema stays)
// 1,000 nodes per inner transaction: a node's relationships go with it, and
// on a 100k-paper / 1M-citation graph batches of 10,000 papers (with cited
// papers holding thousands of CITES) exceeded the 1g heap's transaction
// memory pool (MemoryPoolOutOfMemoryError; see bench/BENCHMARKS.md).
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS
