// params: -
// returns: total, the number of Paper nodes (from the count store: constant time)
MATCH (p:Paper)
RETURN count(p) AS total
