// params: -
// returns: labels, key, props for every node except Meta bookkeeping
MATCH (n) WHERE NOT n:Meta
RETURN labels(n) AS labels, coalesce(n.paperId, n.authorId, n.key) AS key, properties(n) AS props
