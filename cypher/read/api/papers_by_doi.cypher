// params: ids
// returns: id, paper for each lower-cased bare DOI that a Paper carries
UNWIND $ids AS id
MATCH (p:Paper {doi: id})
WITH id, p ORDER BY p.paperId
WITH id, collect(p)[0] AS p
RETURN id, p {.*, embedding: null} AS paper
