// params: ids
// returns: id, paper for each bare arXiv id (no version) that a Paper carries
// arxivId is range-indexed; min paperId makes the answer stable if two nodes share an id.
UNWIND $ids AS id
MATCH (p:Paper {arxivId: id})
WITH id, p ORDER BY p.paperId
WITH id, collect(p)[0] AS p
RETURN id, p {.*, embedding: null} AS paper
