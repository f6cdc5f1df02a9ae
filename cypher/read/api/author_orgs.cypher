// params: ids, limit
// returns: id, items per author: items = [org properties] the author is AFFILIATED_WITH, by name, at most $limit
UNWIND $ids AS id
MATCH (a:Author {authorId: id})
CALL (a) {
  MATCH (a)-[:AFFILIATED_WITH]->(o:Org)
  WITH DISTINCT o
  WITH o ORDER BY toLower(o.name), o.key LIMIT $limit
  RETURN collect(properties(o)) AS items
}
RETURN id, items
