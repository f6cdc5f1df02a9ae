// params: id, k
// returns: paper (all properties but the embedding), similarity of the $k papers nearest to paper $id by exact cosine, computed against every paper (the benchmark's baseline: no index)
MATCH (p:Paper {paperId: $id})
WHERE p.embedding IS NOT NULL
MATCH (node:Paper)
WHERE node.embedding IS NOT NULL AND node <> p
WITH node, 2 * vector.similarity.cosine(p.embedding, node.embedding) - 1 AS similarity
RETURN node {.*, embedding: null} AS paper, similarity
ORDER BY similarity DESC, paper.paperId
LIMIT $k
