// params: candidates, seeds
// returns: candidate, seed, similarity (cosine, -1..1) for every candidate and seed that both have an embedding
// vector.similarity.cosine gives (1 + cosine) / 2, like the index; turned back
// into the cosine. At most a few hundred candidates times 40 seeds per request.
UNWIND $seeds AS sid
MATCH (s:Paper {paperId: sid})
WHERE s.embedding IS NOT NULL
UNWIND $candidates AS cid
MATCH (c:Paper {paperId: cid})
WHERE c.embedding IS NOT NULL
RETURN cid AS candidate, sid AS seed, 2 * vector.similarity.cosine(c.embedding, s.embedding) - 1 AS similarity
