// params: afterKey, afterId, limit
// returns: paper (all properties), key (its citationCount) per row: papers with a citationCount, lowest first, then paperId
// The unfiltered `papers(orderBy: {field: CITATION_COUNT, direction: ASC})` page, index-backed: the range
// index on Paper.citationCount is read in order from the cursor on, so a page costs about `limit` index
// entries instead of sorting every paper (papers_page_asc with orderBy CITATION_COUNT and no
// filter gives the same rows, keys and cursors; a test compares them). Papers without a citationCount
// come after all of these (key 9223372036854775807 in papers_page_asc): the API reads them from
// papers_without_citation_count when this page runs short.
MATCH (p:Paper)
WHERE p.citationCount >= coalesce($afterKey, -9223372036854775808)
  AND ($afterId IS NULL OR p.citationCount > $afterKey OR p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper, p.citationCount AS key
ORDER BY p.citationCount ASC, p.paperId
LIMIT $limit
