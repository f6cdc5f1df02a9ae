// params: ids
// returns: id, paper for each S2 CorpusId (integer) that a Paper carries
UNWIND $ids AS id
MATCH (p:Paper {corpusId: id})
WITH id, p ORDER BY p.paperId
WITH id, collect(p)[0] AS p
RETURN id, p {.*, embedding: null} AS paper
