// params: ids, afterKey, afterId, limit
// returns: id, total, items per org key: items = [{author, key}] of its affiliated authors, most cited
// first (key = coalesce(citationCount, -1) desc, then authorId), at most $limit; total counts distinct
// authors (an author has one AFFILIATED_WITH per paper that states the affiliation)
UNWIND $ids AS id
MATCH (o:Org {key: id})
CALL (o) {
  MATCH (o)<-[:AFFILIATED_WITH]-(a:Author)
  WITH DISTINCT a
  WITH a, coalesce(a.citationCount, -1) AS key
  WHERE $afterId IS NULL OR key < $afterKey OR (key = $afterKey AND a.authorId > $afterId)
  WITH a, key ORDER BY key DESC, a.authorId LIMIT $limit
  RETURN collect({author: properties(a), key: key}) AS items
}
RETURN id, COUNT { MATCH (o)<-[:AFFILIATED_WITH]-(a:Author) RETURN DISTINCT a } AS total, items
