// params: afterId, limit
// returns: paper (all properties) per paper without a pagerank, by paperId, after $afterId when given
// The tail of the index-backed orders by pagerank (papers_by_pagerank_desc/asc): a range index holds
// no missing values, so this reads the label; the API only runs it for the pages past every
// paper that has a pagerank.
MATCH (p:Paper)
WHERE p.pagerank IS NULL AND ($afterId IS NULL OR p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper
ORDER BY p.paperId
LIMIT $limit
