// params: rows
// returns: nothing; (Author)-[:AFFILIATED_WITH {paperId, year}]->(Org), one per paper
// rows: {authorId, orgKey, paperId, year}: an affiliation as a paper states it
// (OpenAlex authorships), not a person's affiliation forever.
UNWIND $rows AS row
MATCH (a:Author {authorId: row.authorId})
MATCH (o:Org {key: row.orgKey})
MERGE (a)-[r:AFFILIATED_WITH {paperId: row.paperId}]->(o)
SET r.year = coalesce(row.year, r.year)
