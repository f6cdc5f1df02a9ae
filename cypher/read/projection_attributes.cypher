// params: -
// returns: paperId, year, title, citationCount, referenceCount, pagerank, community, topics, authors, submittedBy, affiliations, flaggedRefs (one row per Paper, by paperId)
// The node attributes of the API's projection graph (the citations come from
// read/projection_citations, in the same transaction). Stored scores come
// along for export; paperId order comes from the unique index.
MATCH (p:Paper)
WHERE p.paperId IS NOT NULL
RETURN p.paperId AS paperId,
       p.year AS year,
       p.title AS title,
       p.citationCount AS citationCount,
       // S2's counts: coverage (graph_api/analytics/coverage.py) compares them with the edges held.
       p.referenceCount AS referenceCount,
       p.pagerank AS pagerank,
       p.community AS community,
       COLLECT { MATCH (p)-[:HAS_TOPIC]->(t:Topic) RETURN t.name ORDER BY t.name } AS topics,
       COLLECT {
         MATCH (a:Author)-[r:AUTHORED]->(p)
         RETURN a.authorId ORDER BY r.position, a.authorId
       } AS authors,
       COLLECT { MATCH (o:Org)-[:SUBMITTED]->(p) RETURN o.key ORDER BY o.key } AS submittedBy,
       // OpenAlex affiliations belong to the paper that states them (paperId);
       // an S2 affiliation has none and counts for all the author's papers.
       // DISTINCT as co-authors often share one.
       COLLECT {
         MATCH (p)<-[:AUTHORED]-(:Author)-[r:AFFILIATED_WITH]->(o:Org)
         WHERE r.paperId IS NULL OR r.paperId = p.paperId
         RETURN DISTINCT o.key ORDER BY o.key
       } AS affiliations,
       // The references lineage(edges: INFLUENTIAL | METHODOLOGY) can follow, as
       // [cited paperId, isInfluential, methodology]; most citations are neither.
       COLLECT {
         MATCH (p)-[r:CITES]->(c:Paper)
         WHERE r.isInfluential OR 'methodology' IN r.intents
         RETURN [c.paperId, coalesce(r.isInfluential, false), 'methodology' IN r.intents]
       } AS flaggedRefs
ORDER BY p.paperId
