// params: rows
// returns: nothing; institution lineage (Org)-[:PART_OF]->(Org)
// rows: {orgKey, parentKey, parentOpenalexId}; orgs are written first. A parent
// already in the graph under any key with that OpenAlex id is used; otherwise
// a stub Org keyed by parentKey is created (named when it arrives itself).
UNWIND $rows AS row
MATCH (o:Org {key: row.orgKey})
OPTIONAL MATCH (known:Org {openalexId: row.parentOpenalexId})
WITH o, row, head(collect(known)) AS known
CALL (o, row, known) {
  WITH o, row, known WHERE known IS NOT NULL AND known <> o
  MERGE (o)-[:PART_OF]->(known)
  UNION
  WITH o, row, known WHERE known IS NULL
  MERGE (p:Org {key: row.parentKey})
    ON CREATE SET p.openalexId = row.parentOpenalexId, p.source = 'openalex'
  MERGE (o)-[:PART_OF]->(p)
}
