// params: id, authorsLimit, refsLimit, refsInfluentialOnly, refsAfterKey, refsAfterId, refsAuthorsLimit, citsLimit, citsInfluentialOnly, citsAfterKey, citsAfterId, citsAuthorsLimit
// returns: paper (all properties but the embedding), authors (its authors or null), references and citations (each null or {total, items: [{paper, key, isInfluential, intents, contexts, contextIntents, authors}]}); no row for an unknown paper
// One statement for the common shapes of `paper(id)`: the paper, its authors, a page of its
// references and/or citations, and those papers' authors, chosen by a look-ahead at the
// request's selection (graph_api lookahead). A null limit switches its part off (the guard
// sits before the MATCH, so a part that is off reads nothing). Each part returns exactly what
// paper_authors / paper_references / paper_citations return for the same arguments (a test
// compares them), so the API primes its per-request loaders with it instead of running them.
MATCH (p:Paper {paperId: $id})
CALL (p) {
  WITH p WHERE $authorsLimit IS NOT NULL
  MATCH (a:Author)-[r:AUTHORED]->(p)
  WITH a, r ORDER BY r.position, a.authorId LIMIT coalesce($authorsLimit, 0)
  RETURN collect(properties(a)) AS authors
}
CALL (p) {
  WITH p WHERE $refsLimit IS NOT NULL
  MATCH (p)-[r:CITES]->(q:Paper)
  WHERE NOT $refsInfluentialOnly OR r.isInfluential
  WITH r, q, coalesce(q.citationCount, -1) AS key
  WHERE $refsAfterId IS NULL OR key < $refsAfterKey OR (key = $refsAfterKey AND q.paperId > $refsAfterId)
  WITH r, q, key ORDER BY key DESC, q.paperId LIMIT coalesce($refsLimit, 0)
  CALL (q) {
    WITH q WHERE $refsAuthorsLimit IS NOT NULL
    MATCH (a:Author)-[w:AUTHORED]->(q)
    WITH a, w ORDER BY w.position, a.authorId LIMIT coalesce($refsAuthorsLimit, 0)
    RETURN collect(properties(a)) AS qAuthors
  }
  RETURN collect({paper: q {.*, embedding: null}, key: key, isInfluential: r.isInfluential, intents: r.intents,
                  contexts: r.contexts, contextIntents: r.contextIntents, authors: qAuthors}) AS refs
}
CALL (p) {
  WITH p WHERE $citsLimit IS NOT NULL
  MATCH (p)<-[r:CITES]-(q:Paper)
  WHERE NOT $citsInfluentialOnly OR r.isInfluential
  WITH r, q, coalesce(q.citationCount, -1) AS key
  WHERE $citsAfterId IS NULL OR key < $citsAfterKey OR (key = $citsAfterKey AND q.paperId > $citsAfterId)
  WITH r, q, key ORDER BY key DESC, q.paperId LIMIT coalesce($citsLimit, 0)
  CALL (q) {
    WITH q WHERE $citsAuthorsLimit IS NOT NULL
    MATCH (a:Author)-[w:AUTHORED]->(q)
    WITH a, w ORDER BY w.position, a.authorId LIMIT coalesce($citsAuthorsLimit, 0)
    RETURN collect(properties(a)) AS qAuthors
  }
  RETURN collect({paper: q {.*, embedding: null}, key: key, isInfluential: r.isInfluential, intents: r.intents,
                  contexts: r.contexts, contextIntents: r.contextIntents, authors: qAuthors}) AS cits
}
RETURN p {.*, embedding: null} AS paper,
       CASE WHEN $authorsLimit IS NULL THEN null ELSE authors END AS authors,
       CASE WHEN $refsLimit IS NULL THEN null ELSE {
         total: COUNT { (p)-[r:CITES]->() WHERE NOT $refsInfluentialOnly OR r.isInfluential },
         items: refs } END AS references,
       CASE WHEN $citsLimit IS NULL THEN null ELSE {
         total: COUNT { (p)<-[r:CITES]-() WHERE NOT $citsInfluentialOnly OR r.isInfluential },
         items: cits } END AS citations
