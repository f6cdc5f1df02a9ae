// params: -
// returns: nothing; deletes every node and relationship in batches (schema stays)
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
