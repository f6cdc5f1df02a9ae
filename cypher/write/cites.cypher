// params: rows
// returns: nothing; (Paper)-[:CITES {isInfluential, intents, source}]->(Paper), citing -> cited
// rows: {citing, cited, isInfluential, intents, source}. An endpoint not yet
// in the graph becomes a stub Paper {paperId, isSeed:false}. An empty
// intents list never erases intents already known.
UNWIND $rows AS row
MERGE (a:Paper {paperId: row.citing})
  ON CREATE SET a.isSeed = false
MERGE (b:Paper {paperId: row.cited})
  ON CREATE SET b.isSeed = false
MERGE (a)-[r:CITES]->(b)
SET r.isInfluential = coalesce(row.isInfluential, r.isInfluential, false),
    r.intents = CASE WHEN size(coalesce(row.intents, [])) > 0 THEN row.intents
                     ELSE coalesce(r.intents, []) END,
    r.source = coalesce(row.source, r.source)
