// params: yearGte, yearLte, citationCountGte, citationCountLte, isSeed, titleContains, venues, venueNames, topics, authorIds, orgs
// returns: total, the number of papers the filter keeps (papers' totalCount; only run when asked for)
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
RETURN count(p) AS total
