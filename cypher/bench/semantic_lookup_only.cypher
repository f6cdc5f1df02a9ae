// params: id
// returns: paper (paperId), similarity (the vector's length) of paper $id alone: the index seek and embedding read that read/api/semantic_neighbours starts with (bench.semantic's profile of that statement)
MATCH (p:Paper {paperId: $id})
WHERE p.embedding IS NOT NULL
RETURN p {.paperId} AS paper, size(p.embedding) AS similarity
