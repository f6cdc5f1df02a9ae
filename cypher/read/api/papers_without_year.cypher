// params: afterId, limit
// returns: paper (all properties) per paper without a year, by paperId, after $afterId when given
// The tail of the index-backed orders by year (papers_by_year_desc/asc): a range index holds
// no missing values, so this reads the label; the API only runs it for the pages past every
// paper that has a year.
MATCH (p:Paper)
WHERE p.year IS NULL AND ($afterId IS NULL OR p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper
ORDER BY p.paperId
LIMIT $limit
