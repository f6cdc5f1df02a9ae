// params: rows
// returns: nothing; (Author)-[:AFFILIATED_WITH]->(Org)
// rows: {authorId, orgKey}
UNWIND $rows AS row
MATCH (a:Author {authorId: row.authorId})
MATCH (o:Org {key: row.orgKey})
MERGE (a)-[:AFFILIATED_WITH]->(o)
