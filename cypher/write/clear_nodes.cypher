// params: -
// returns: nothing; deletes every node in batches, once no relationship is left (schema stays)
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
