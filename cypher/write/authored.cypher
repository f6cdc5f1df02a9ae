// params: rows
// returns: nothing; (Author)-[:AUTHORED {position}]->(Paper)
// rows: {authorId, paperId, position}; authors and papers are written first.
UNWIND $rows AS row
MATCH (a:Author {authorId: row.authorId})
MATCH (p:Paper {paperId: row.paperId})
MERGE (a)-[r:AUTHORED]->(p)
SET r.position = coalesce(row.position, r.position)
