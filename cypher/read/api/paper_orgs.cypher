// params: ids, limit
// returns: id, items per paper: items = [org properties], the organisations that submitted it
// or that its authors are affiliated with, distinct, by name, at most $limit
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
CALL (p) {
  CALL (p) {
    MATCH (o:Org)-[:SUBMITTED]->(p) RETURN o
    UNION
    MATCH (o:Org)<-[r:AFFILIATED_WITH]-(:Author)-[:AUTHORED]->(p)
    WHERE r.paperId IS NULL OR r.paperId = p.paperId RETURN o
  }
  WITH o ORDER BY toLower(o.name), o.key LIMIT $limit
  RETURN collect(properties(o)) AS items
}
RETURN id, items
