// params: id, k
// returns: paper (all properties but the embedding), similarity (cosine, -1..1) of up to $k papers nearest to paper $id by embedding, nearest first; the paper itself is left out; no rows when it has no embedding
// Through the vector index (paper_embedding): its score for cosine is
// (1 + cosine) / 2, turned back into the cosine here. One more neighbour is
// asked for than returned, since the paper finds itself first.
MATCH (p:Paper {paperId: $id})
WHERE p.embedding IS NOT NULL
CALL db.index.vector.queryNodes('paper_embedding', $k + 1, p.embedding) YIELD node, score
WITH p, node, score
WHERE node <> p
RETURN node {.*, embedding: null} AS paper, 2 * score - 1 AS similarity
ORDER BY similarity DESC, paper.paperId
LIMIT $k
