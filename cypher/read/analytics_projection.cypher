// params: -
// returns: paperId, year, title, citationCount, pagerank, community, topics, authors, submittedBy, affiliations, refs (one row per Paper, by paperId)
// The projection analytics run on. One row per paper, its references folded
// into a list, so 1M citations travel as 100k records (far fewer round trips
// through the driver than one record per edge). paperId order comes from the
// unique index, so rows stream without a sort and the graph is built in the
// same order from any store. Stored scores come along for export.
MATCH (p:Paper)
WHERE p.paperId IS NOT NULL
RETURN p.paperId AS paperId,
       p.year AS year,
       p.title AS title,
       p.citationCount AS citationCount,
       p.pagerank AS pagerank,
       p.community AS community,
       COLLECT { MATCH (p)-[:HAS_TOPIC]->(t:Topic) RETURN t.name ORDER BY t.name } AS topics,
       COLLECT {
         MATCH (a:Author)-[r:AUTHORED]->(p)
         RETURN a.authorId ORDER BY r.position, a.authorId
       } AS authors,
       COLLECT { MATCH (o:Org)-[:SUBMITTED]->(p) RETURN o.key ORDER BY o.key } AS submittedBy,
       // An author's S2 affiliations count for all their papers (S2 has no
       // per-paper affiliation); DISTINCT as co-authors often share one.
       COLLECT {
         MATCH (p)<-[:AUTHORED]-(:Author)-[:AFFILIATED_WITH]->(o:Org)
         RETURN DISTINCT o.key ORDER BY o.key
       } AS affiliations,
       COLLECT { MATCH (p)-[:CITES]->(c:Paper) RETURN c.paperId } AS refs
ORDER BY p.paperId
