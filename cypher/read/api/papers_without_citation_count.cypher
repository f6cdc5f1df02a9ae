// params: afterId, limit
// returns: paper (all properties) per paper without a citationCount, by paperId, after $afterId when given
// The tail of the index-backed orders by citationCount (papers_by_citation_count_desc/asc): a range index holds
// no missing values, so this reads the label; the API only runs it for the pages past every
// paper that has a citationCount.
MATCH (p:Paper)
WHERE p.citationCount IS NULL AND ($afterId IS NULL OR p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper
ORDER BY p.paperId
LIMIT $limit
