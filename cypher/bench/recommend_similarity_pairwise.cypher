// params: candidates, seeds
// returns: candidate, seed, similarity (cosine, -1..1) for every candidate and seed that both have an embedding, matching each pair apart (the benchmark's baseline: read/api/recommend_similarity before it read each embedding once)
UNWIND $seeds AS sid
MATCH (s:Paper {paperId: sid})
WHERE s.embedding IS NOT NULL
UNWIND $candidates AS cid
MATCH (c:Paper {paperId: cid})
WHERE c.embedding IS NOT NULL
RETURN cid AS candidate, sid AS seed, 2 * vector.similarity.cosine(c.embedding, s.embedding) - 1 AS similarity
