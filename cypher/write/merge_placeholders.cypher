// params: rows
// returns: merged (placeholder Papers folded into a resolved Paper)
// rows: {paperId, titleKey, arxivId, doi}. A seed S2 could not resolve is
// stored as Paper{paperId:'title:...'}; once the S2 paper is in the graph
// (same titleKey, arXiv id or DOI, no conflicting arXiv id/DOI, and not an S2
// id the placeholder's title match was refused for: rejectedMatches), the
// placeholder's relationships move onto it and the placeholder is deleted.
// Works both ways: a resolved row absorbs placeholders; a placeholder row
// written after its S2 paper is absorbed at once. Community edition, no APOC:
// one subquery per relationship type the model has.
UNWIND $rows AS row
CALL (row) {
  MATCH (ph:Paper {titleKey: row.titleKey}) WHERE ph.paperId STARTS WITH 'title:' RETURN ph
  UNION
  MATCH (ph:Paper {arxivId: row.arxivId}) WHERE ph.paperId STARTS WITH 'title:' RETURN ph
  UNION
  MATCH (ph:Paper {doi: row.doi}) WHERE ph.paperId STARTS WITH 'title:' RETURN ph
}
CALL (row) {
  MATCH (p:Paper {paperId: row.paperId}) WHERE NOT p.paperId STARTS WITH 'title:' RETURN p
  UNION
  MATCH (p:Paper {titleKey: row.titleKey})
  WHERE row.paperId STARTS WITH 'title:' AND NOT p.paperId STARTS WITH 'title:' RETURN p
  UNION
  MATCH (p:Paper {arxivId: row.arxivId})
  WHERE row.paperId STARTS WITH 'title:' AND NOT p.paperId STARTS WITH 'title:' RETURN p
  UNION
  MATCH (p:Paper {doi: row.doi})
  WHERE row.paperId STARTS WITH 'title:' AND NOT p.paperId STARTS WITH 'title:' RETURN p
}
WITH DISTINCT ph, p
WHERE ph <> p
  AND NOT p.paperId IN coalesce(ph.rejectedMatches, [])
  AND (ph.arxivId IS NULL OR p.arxivId IS NULL OR ph.arxivId = p.arxivId)
  AND (ph.doi IS NULL OR p.doi IS NULL OR ph.doi = p.doi)
// One target per placeholder, chosen deterministically.
WITH ph, p ORDER BY p.paperId
WITH ph, collect(p)[0] AS p
CALL (ph, p) {
  MATCH (ph)-[r:CITES]->(x) WHERE x <> p
  MERGE (p)-[n:CITES]->(x) ON CREATE SET n = properties(r)
}
CALL (ph, p) {
  MATCH (x)-[r:CITES]->(ph) WHERE x <> p
  MERGE (x)-[n:CITES]->(p) ON CREATE SET n = properties(r)
}
CALL (ph, p) {
  MATCH (a:Author)-[r:AUTHORED]->(ph)
  MERGE (a)-[n:AUTHORED]->(p) ON CREATE SET n = properties(r)
}
CALL (ph, p) {
  MATCH (o:Org)-[r:SUBMITTED]->(ph)
  MERGE (o)-[n:SUBMITTED]->(p) ON CREATE SET n = properties(r)
}
CALL (ph, p) {
  MATCH (ph)-[r:HAS_TOPIC]->(t:Topic)
  MERGE (p)-[n:HAS_TOPIC]->(t) ON CREATE SET n = properties(r)
}
CALL (ph, p) {
  MATCH (ph)-[r:PUBLISHED_IN]->(v:Venue)
  MERGE (p)-[n:PUBLISHED_IN]->(v) ON CREATE SET n = properties(r)
}
// The resolved node's own values win; the placeholder fills its gaps (e.g.
// the page's abstract when S2 has none, the upvotes), and a seed stays a seed.
// What only a placeholder needs (the page's author count and the S2 ids its
// title match refused) is not carried over: the S2 paper has S2's authors.
WITH ph, p, properties(p) AS keep
SET p += ph {.*, paperId: p.paperId, rejectedMatches: null, authorsCount: null}
SET p += keep
SET p.isSeed = coalesce(keep.isSeed, false) OR coalesce(ph.isSeed, false)
DETACH DELETE ph
RETURN count(*) AS merged
