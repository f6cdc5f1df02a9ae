// params: rows, loadNo
// returns: nothing; creates (Paper)-[:CITES {isInfluential, intents, contexts, contextIntents, source}]->(Paper), citing -> cited
// rows: {citing, cited, isInfluential, intents, contexts, contextIntents, source}, only for edges known
// to be new: the citing paper was created by this load (write/papers_new) and
// this load has not written the pair before (loaders/graph_writer.py keeps
// that licence). CREATE, not MERGE: no Expand(Into) existence check on the
// citing paper's edges. Values as write/cites sets them on a new edge; the
// cited paper becomes a stub Paper {paperId, isSeed:false} if absent. addedBy:
// the creating load's number (write/load_begin), for the change feed.
UNWIND $rows AS row
MATCH (a:Paper {paperId: row.citing})
MERGE (b:Paper {paperId: row.cited})
  ON CREATE SET b.isSeed = false, b.addedBy = $loadNo
CREATE (a)-[r:CITES]->(b)
SET r.addedBy = $loadNo,
    r.isInfluential = coalesce(row.isInfluential, false),
    r.intents = CASE WHEN size(coalesce(row.intents, [])) > 0 THEN row.intents END,
    r.contexts = CASE WHEN size(coalesce(row.contexts, [])) > 0 THEN row.contexts END,
    r.contextIntents = CASE WHEN size(coalesce(row.contexts, [])) > 0 THEN row.contextIntents END,
    r.source = row.source
