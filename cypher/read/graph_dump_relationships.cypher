// params: -
// returns: type, startLabels, start, endLabels, end, props for every relationship
MATCH (a)-[r]->(b) WHERE NOT a:Meta AND NOT b:Meta
RETURN type(r) AS type,
       labels(a) AS startLabels, coalesce(a.paperId, a.authorId, a.key) AS start,
       labels(b) AS endLabels, coalesce(b.paperId, b.authorId, b.key) AS end,
       properties(r) AS props
