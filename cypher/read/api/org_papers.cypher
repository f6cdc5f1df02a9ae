// params: ids, afterKey, afterId, limit
// returns: id, total, items per org key: items = [{paper, key}] of the papers the org submitted to
// Daily Papers or that its affiliated authors wrote, most cited first (key desc, then paperId)
UNWIND $ids AS id
MATCH (o:Org {key: id})
CALL (o) {
  CALL (o) {
    MATCH (o)-[:SUBMITTED]->(q:Paper) RETURN q
    UNION
    MATCH (o)<-[r:AFFILIATED_WITH]-(:Author)-[:AUTHORED]->(q:Paper)
    WHERE r.paperId IS NULL OR r.paperId = q.paperId RETURN q
  }
  WITH q, coalesce(q.citationCount, -1) AS key
  WITH collect({q: q, key: key}) AS found
  RETURN size(found) AS total,
         [row IN found WHERE $afterId IS NULL OR row.key < $afterKey
                          OR (row.key = $afterKey AND row.q.paperId > $afterId)] AS rest
}
CALL (rest) {
  UNWIND rest AS row
  WITH row ORDER BY row.key DESC, row.q.paperId LIMIT $limit
  WITH row.q AS q, row.key AS key
  RETURN collect({paper: q {.*, embedding: null}, key: key}) AS items
}
RETURN id, total, items
