// params: id, k
// returns: paper (all properties but the embedding), similarity (cosine, -1..1) of up to $k papers nearest to paper $id by embedding, nearest first; the paper itself is left out; no rows when it has no embedding
// Candidates come from the vector index (paper_embedding, HNSW). Its scores
// are approximate (Neo4j 5.26 quantises indexed vectors by default), so it is
// asked for twice as many papers as returned and those are ranked by the
// exact cosine of the stored vectors (vector.similarity.cosine gives
// (1 + cosine) / 2, turned back into the cosine here).
MATCH (p:Paper {paperId: $id})
WHERE p.embedding IS NOT NULL
CALL db.index.vector.queryNodes('paper_embedding', 2 * $k + 1, p.embedding) YIELD node
WITH p, node
WHERE node <> p
WITH node, 2 * vector.similarity.cosine(p.embedding, node.embedding) - 1 AS similarity
RETURN node {.*, embedding: null} AS paper, similarity
ORDER BY similarity DESC, paper.paperId
LIMIT $k
