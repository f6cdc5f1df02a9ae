// params: rows
// returns: nothing; (Org)-[:SUBMITTED]->(Paper), the Daily Papers organisation that posted it
// rows: {orgKey, paperId, handle}; the handle lives on the Org (orgs rows set it).
UNWIND $rows AS row
MATCH (o:Org {key: row.orgKey})
MATCH (p:Paper {paperId: row.paperId})
MERGE (o)-[:SUBMITTED]->(p)
