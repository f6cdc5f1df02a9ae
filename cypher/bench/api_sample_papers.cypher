// params: limit
// returns: paperId, title, topic, ancestor (one paper three CITES hops up, or null)
// The papers bench/api.py queries: ones that cite and are cited (so
// references, lineage and similarity have something to return), taken in
// paperId order (S2-like hash ids: an even spread over the corpus), each with
// a topic and a paper its lineage reaches at depth 3 (a citation path target).
MATCH (p:Paper)
WHERE p.title IS NOT NULL
  AND EXISTS { (p)-[:CITES]->() }
  AND EXISTS { ()-[:CITES]->(p) }
WITH p ORDER BY p.paperId LIMIT $limit
RETURN p.paperId AS paperId,
       p.title AS title,
       COLLECT { MATCH (p)-[:HAS_TOPIC]->(t:Topic) RETURN t.name ORDER BY t.name LIMIT 1 }[0] AS topic,
       COLLECT {
         MATCH (p)-[:CITES]->(:Paper)-[:CITES]->(:Paper)-[:CITES]->(c:Paper)
         RETURN c.paperId LIMIT 1
       }[0] AS ancestor
