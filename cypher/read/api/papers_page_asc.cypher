// params: yearGte, yearLte, citationCountGte, citationCountLte, isSeed, titleContains, venues, venueNames, topics, authorIds, orgs, orderBy, afterKey, afterId, limit
// returns: paper (all properties but the embedding, which no Paper field shows), key (the sort key) per row: sort key ascending, then paperId
// orderBy: CITATION_COUNT | YEAR | PAGERANK | TITLE. Missing values sort last (a sentinel above
// every real value); the keyset cursor (afterKey, afterId) resumes strictly after a row.
// filter:begin (identical in papers_page_desc, papers_page_asc, papers_count; a unit test checks)
// A null parameter switches its condition off, so one plan serves every combination.
MATCH (p:Paper)
WHERE ($yearGte IS NULL OR p.year >= $yearGte)
  AND ($yearLte IS NULL OR p.year <= $yearLte)
  AND ($citationCountGte IS NULL OR p.citationCount >= $citationCountGte)
  AND ($citationCountLte IS NULL OR p.citationCount <= $citationCountLte)
  AND ($isSeed IS NULL OR coalesce(p.isSeed, false) = $isSeed)
  AND ($titleContains IS NULL OR toLower(p.title) CONTAINS $titleContains)
  AND ($venues IS NULL
       OR p.venue IS NOT NULL AND toLower(p.venue) IN $venueNames
       OR EXISTS { (p)-[:PUBLISHED_IN]->(v:Venue) WHERE v.key IN $venues })
  AND ($topics IS NULL OR EXISTS { (p)-[:HAS_TOPIC]->(t:Topic) WHERE t.key IN $topics })
  AND ($authorIds IS NULL OR EXISTS { (a:Author)-[:AUTHORED]->(p) WHERE a.authorId IN $authorIds })
  AND ($orgs IS NULL
       OR EXISTS { (o:Org)-[:SUBMITTED]->(p) WHERE o.key IN $orgs }
       OR EXISTS { (o:Org)<-[r:AFFILIATED_WITH]-(:Author)-[:AUTHORED]->(p)
                    WHERE o.key IN $orgs AND (r.paperId IS NULL OR r.paperId = p.paperId) })
// filter:end
WITH p, CASE $orderBy
    WHEN 'YEAR' THEN coalesce(p.year, 1000000000)
    WHEN 'PAGERANK' THEN coalesce(p.pagerank, 1.0e300)
    WHEN 'TITLE' THEN toLower(coalesce(p.title, '\uffff'))
    ELSE coalesce(p.citationCount, 9223372036854775807)
  END AS key
WHERE $afterId IS NULL OR key > $afterKey OR (key = $afterKey AND p.paperId > $afterId)
RETURN p {.*, embedding: null} AS paper, key
ORDER BY key, p.paperId
LIMIT $limit
