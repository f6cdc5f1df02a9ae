// params: ids
// returns: id, venue (properties) per paper that is PUBLISHED_IN a Venue (the first by key if several)
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})-[:PUBLISHED_IN]->(v:Venue)
WITH id, v ORDER BY v.key
WITH id, collect(v)[0] AS v
RETURN id, properties(v) AS venue
