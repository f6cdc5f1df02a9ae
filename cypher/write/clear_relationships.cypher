// params: -
// returns: nothing; deletes every relationship in batches (first half of clearing the graph)
// Relationships go first, in their own batches: a DETACH DELETE batch of hub
// papers (tens of thousands of CITES each) can exceed the transaction memory pool.
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS
