// params: topicKey, yearFrom, yearTo, limit
// returns: papers, one list of papers (all properties but the embedding, which no Paper field shows), highest stored PageRank first, ties by paperId
// The scores `citekb analytics` stored (graph_api/analytics_store.py). The
// paper_pagerank range index serves the order, so the filters stop as soon as
// `limit` papers passed them. A null parameter switches its condition off. One record
// (a list, in the order above): the async driver takes several event-loop turns per record.
MATCH (p:Paper)
WHERE p.pagerank IS NOT NULL
  AND ($yearFrom IS NULL OR p.year >= $yearFrom)
  AND ($yearTo IS NULL OR p.year <= $yearTo)
  AND ($topicKey IS NULL OR EXISTS { (p)-[:HAS_TOPIC]->(:Topic {key: $topicKey}) })
WITH p
ORDER BY p.pagerank DESC, p.paperId
LIMIT $limit
RETURN collect(p {.*, embedding: null}) AS papers
