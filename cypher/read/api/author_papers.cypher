// params: ids, afterKey, afterId, limit
// returns: id, total, items per id: items = [{paper, key}] of an author's papers, most cited first
// (key = coalesce(citationCount, -1) desc, then paperId), at most $limit; total is a degree count
UNWIND $ids AS id
MATCH (n:Author {authorId: id})
CALL (n) {
  MATCH (n)-[:AUTHORED]->(q:Paper)
  WITH q, coalesce(q.citationCount, -1) AS key
  WHERE $afterId IS NULL OR key < $afterKey OR (key = $afterKey AND q.paperId > $afterId)
  WITH q, key ORDER BY key DESC, q.paperId LIMIT $limit
  RETURN collect({paper: q {.*, embedding: null}, key: key}) AS items
}
RETURN id, COUNT { (n)-[:AUTHORED]->() } AS total, items
