// params: -
// returns: n (every node in the database, Meta bookkeeping included)
// Answered from the count store, whatever the size: the offline importer
// only writes into a database where this is 0.
MATCH (n)
RETURN count(n) AS n
