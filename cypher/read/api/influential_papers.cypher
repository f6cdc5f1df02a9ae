// params: topicKey, yearFrom, yearTo, limit
// returns: paper (all properties but the embedding, which no Paper field shows) per row, highest stored PageRank first, ties by paperId
// The scores `citekb analytics` stored (graph_api/analytics_store.py). The
// paper_pagerank range index serves the order, so the filters stop as soon as
// `limit` papers passed them. A null parameter switches its condition off.
MATCH (p:Paper)
WHERE p.pagerank IS NOT NULL
  AND ($yearFrom IS NULL OR p.year >= $yearFrom)
  AND ($yearTo IS NULL OR p.year <= $yearTo)
  AND ($topicKey IS NULL OR EXISTS { (p)-[:HAS_TOPIC]->(:Topic {key: $topicKey}) })
RETURN p {.*, embedding: null} AS paper
ORDER BY p.pagerank DESC, p.paperId
LIMIT $limit
