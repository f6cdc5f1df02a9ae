// params: afterKey, afterId, limit
// returns: paper (all properties), key (its pagerank) per row: papers with a pagerank, highest first, then paperId
// The unfiltered `papers(orderBy: {field: PAGERANK, direction: DESC})` page, index-backed: the range
// index on Paper.pagerank is read in order from the cursor on, so a page costs about `limit` index
// entries instead of sorting every paper (papers_page_desc with orderBy PAGERANK and no
// filter gives the same rows, keys and cursors; a test compares them). Papers without a pagerank
// come after all of these (key -1.0 in papers_page_desc): the API reads them from
// papers_without_pagerank when this page runs short.
MATCH (p:Paper)
WHERE p.pagerank <= coalesce($afterKey, 1.0e308)
  AND ($afterId IS NULL OR p.pagerank < $afterKey OR p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper, p.pagerank AS key
ORDER BY p.pagerank DESC, p.paperId
LIMIT $limit
