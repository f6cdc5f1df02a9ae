// params: ids, k
// returns: id, near (paperIds of the $k papers nearest to paper id by embedding, itself included) for each id that has an embedding
// Candidates for recommend beside the graph's: what the vector index finds
// next to each positive seed.
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
WHERE p.embedding IS NOT NULL
CALL (p) {
  CALL db.index.vector.queryNodes('paper_embedding', $k, p.embedding) YIELD node
  RETURN collect(node.paperId) AS near
}
RETURN id, near
