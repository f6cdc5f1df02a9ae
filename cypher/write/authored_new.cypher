// params: rows
// returns: nothing; creates (Author)-[:AUTHORED {position}]->(Paper)
// rows: {authorId, paperId, position}, only for papers this load created and
// pairs it has not written before (see write/cites_new): CREATE, no existence
// check. Authors and papers are written first; a missing one drops the row,
// as in write/authored.
UNWIND $rows AS row
MATCH (a:Author {authorId: row.authorId})
MATCH (p:Paper {paperId: row.paperId})
CREATE (a)-[r:AUTHORED]->(p)
SET r.position = row.position
