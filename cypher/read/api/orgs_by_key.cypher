// params: ids
// returns: id, org (properties plus paperCount) for each normalised key that names an Org
UNWIND $ids AS id
MATCH (o:Org {key: id})
RETURN id, o {.*, paperCount: COUNT {
  MATCH (o)-[:SUBMITTED]->(q:Paper) RETURN q
  UNION
  MATCH (o)<-[r:AFFILIATED_WITH]-(:Author)-[:AUTHORED]->(q:Paper)
    WHERE r.paperId IS NULL OR r.paperId = q.paperId RETURN q
}} AS org
