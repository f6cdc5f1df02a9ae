// params: rows
// returns: nothing; Venue per key and (Paper)-[:PUBLISHED_IN]->(Venue)
// rows: {paperId, key, name, type}; the first name seen for a key is kept.
UNWIND $rows AS row
MATCH (p:Paper {paperId: row.paperId})
MERGE (v:Venue {key: row.key})
  ON CREATE SET v.name = row.name
SET v.type = coalesce(v.type, row.type)
MERGE (p)-[:PUBLISHED_IN]->(v)
