// params: afterKey, afterId, limit
// returns: paper (all properties), key (its year) per row: papers with a year, highest first, then paperId
// The unfiltered `papers(orderBy: {field: YEAR, direction: DESC})` page, index-backed: the range
// index on Paper.year is read in order from the cursor on, so a page costs about `limit` index
// entries instead of sorting every paper (papers_page_desc with orderBy YEAR and no
// filter gives the same rows, keys and cursors; a test compares them). Papers without a year
// come after all of these (key -1 in papers_page_desc): the API reads them from
// papers_without_year when this page runs short.
MATCH (p:Paper)
WHERE p.year <= coalesce($afterKey, 9223372036854775807)
  AND ($afterId IS NULL OR p.year < $afterKey OR p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper, p.year AS key
ORDER BY p.year DESC, p.paperId
LIMIT $limit
