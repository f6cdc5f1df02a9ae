// params: ids, limit
// returns: id, items per paper: items = [author properties] in author order (AUTHORED.position), at most $limit
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
CALL (p) {
  MATCH (a:Author)-[r:AUTHORED]->(p)
  WITH a, r ORDER BY r.position, a.authorId LIMIT $limit
  RETURN collect(properties(a)) AS items
}
RETURN id, items
