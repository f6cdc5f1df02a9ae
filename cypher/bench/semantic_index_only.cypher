// params: id, k
// returns: paper (paperId), similarity (the index's approximate score): the vector index query of read/api/semantic_neighbours alone, asked for the same 2k+1 candidates, no re-rank and no properties (bench.semantic's profile of that statement)
MATCH (p:Paper {paperId: $id})
WHERE p.embedding IS NOT NULL
CALL db.index.vector.queryNodes('paper_embedding', 2 * $k + 1, p.embedding) YIELD node, score
RETURN node {.paperId} AS paper, score AS similarity
