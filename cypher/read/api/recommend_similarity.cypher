// params: candidates, seeds
// returns: candidate, seed, similarity (cosine, -1..1) for every candidate and seed that both have an embedding
// vector.similarity.cosine gives (1 + cosine) / 2, like the index; turned back
// into the cosine. At most a few hundred candidates times 40 seeds per request.
// Each embedding is read once: the seeds' into a list, then each candidate's
// against all of them. Matching seed and candidate pairwise decoded every
// candidate's 768 floats once per seed: 300 candidates x 40 seeds on a
// 3,000-paper synthetic corpus took 0.31 s that way, 0.19 s this way (median
// of alternating runs, the same 12,000 rows; 28 Nov 2026).
UNWIND $seeds AS sid
MATCH (s:Paper {paperId: sid})
WHERE s.embedding IS NOT NULL
WITH collect({id: sid, embedding: s.embedding}) AS seeds
UNWIND $candidates AS cid
MATCH (c:Paper {paperId: cid})
WHERE c.embedding IS NOT NULL
WITH seeds, cid, c.embedding AS embedding
UNWIND seeds AS seed
RETURN cid AS candidate, seed.id AS seed, 2 * vector.similarity.cosine(embedding, seed.embedding) - 1 AS similarity
