// params: ids, influentialOnly, intent, afterKey, afterId, limit
// returns: id, total, items per citing paper: items = [{paper, key, isInfluential, intents, contexts, contextIntents}] of the papers
// it cites, most cited first (key = coalesce(citationCount, -1) desc, then paperId), at most $limit
// One statement for every paper of a request that asks for references with the same arguments.
// total counts the CITES relationships (a degree lookup unless influentialOnly or intent is set).
// intent (null for any) keeps the citations whose intents name it.
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
CALL (p) {
  MATCH (p)-[r:CITES]->(q:Paper)
  WHERE ($influentialOnly IS NULL OR NOT $influentialOnly OR r.isInfluential)
    AND ($intent IS NULL OR $intent IN r.intents)
  WITH r, q, coalesce(q.citationCount, -1) AS key
  WHERE $afterId IS NULL OR key < $afterKey OR (key = $afterKey AND q.paperId > $afterId)
  WITH r, q, key ORDER BY key DESC, q.paperId LIMIT $limit
  RETURN collect({paper: q {.*, embedding: null}, key: key, isInfluential: r.isInfluential, intents: r.intents,
                  contexts: r.contexts, contextIntents: r.contextIntents}) AS items
}
RETURN id,
       COUNT { (p)-[r:CITES]->() WHERE ($influentialOnly IS NULL OR NOT $influentialOnly OR r.isInfluential)
                                    AND ($intent IS NULL OR $intent IN r.intents) } AS total,
       items
