// params: ids, afterKey, afterId, limit
// returns: id, total, items per id: items = [{paper, key}] of a topic's papers, most cited first
// (key = coalesce(citationCount, -1) desc, then paperId), at most $limit; total is a degree count
UNWIND $ids AS id
MATCH (n:Topic {key: id})
CALL (n) {
  MATCH (n)<-[:HAS_TOPIC]-(q:Paper)
  WITH q, coalesce(q.citationCount, -1) AS key
  WHERE $afterId IS NULL OR key < $afterKey OR (key = $afterKey AND q.paperId > $afterId)
  WITH q, key ORDER BY key DESC, q.paperId LIMIT $limit
  RETURN collect({paper: q {.*, embedding: null}, key: key}) AS items
}
RETURN id, COUNT { (n)<-[:HAS_TOPIC]-() } AS total, items
