// params: rows, loadNo
// returns: nothing; (Paper)-[:CITES {isInfluential, intents, contexts, contextIntents, source}]->(Paper), citing -> cited
// rows: {citing, cited, isInfluential, intents, contexts, contextIntents, source}.
// An endpoint not yet in the graph becomes a stub Paper {paperId, isSeed:false}.
// An edge without known intents has no intents property (readers coalesce it
// to []; the offline importer cannot store an empty list, and both paths must
// leave the same graph); likewise contexts and contextIntents are only stored
// when there are some (most citations have none). On an edge that already
// exists, a null or an empty intents or contexts list never erases what is known.
// addedBy (on create only): the creating load's number, for the change feed.
// (ON CREATE/ON MATCH rather than one coalescing SET: a new edge has nothing
// to read back, which saves ~10% server CPU on bulk loads.)
UNWIND $rows AS row
MERGE (a:Paper {paperId: row.citing})
  ON CREATE SET a.isSeed = false, a.addedBy = $loadNo
MERGE (b:Paper {paperId: row.cited})
  ON CREATE SET b.isSeed = false, b.addedBy = $loadNo
MERGE (a)-[r:CITES]->(b)
  ON CREATE SET r.addedBy = $loadNo,
                r.isInfluential = coalesce(row.isInfluential, false),
                r.intents = CASE WHEN size(coalesce(row.intents, [])) > 0 THEN row.intents END,
                r.contexts = CASE WHEN size(coalesce(row.contexts, [])) > 0 THEN row.contexts END,
                r.contextIntents = CASE WHEN size(coalesce(row.contexts, [])) > 0
                                        THEN row.contextIntents END,
                r.source = row.source
  ON MATCH SET r.isInfluential = coalesce(row.isInfluential, r.isInfluential, false),
               r.intents = CASE WHEN size(coalesce(row.intents, [])) > 0 THEN row.intents
                                ELSE r.intents END,
               r.contexts = CASE WHEN size(coalesce(row.contexts, [])) > 0 THEN row.contexts
                                 ELSE r.contexts END,
               r.contextIntents = CASE WHEN size(coalesce(row.contexts, [])) > 0
                                       THEN row.contextIntents ELSE r.contextIntents END,
               r.source = coalesce(row.source, r.source)
