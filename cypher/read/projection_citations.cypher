// params: -
// returns: node, paperId, refs, topics (one row per Paper with a paperId, by paperId; refs and topics are node ids)
// The citation arrays of the projection (graph_api.store.projection): each
// paper's internal node id, its paperId, and its references and topics as
// node ids, folded into lists so 1M citations travel as 100k records of
// plain integers. Node ids are only valid inside this read transaction: the
// loader maps them to paper numbers once and never stores them (see the
// writer's guard in write/analytics_scores). id() is deprecated in favour of
// elementId() (a string per node), but it is the one dense integer key 5.26
// offers; the referenced node is not label-checked (CITES only joins papers,
// and a key that is not a paper is dropped by the loader).
MATCH (p:Paper)
WHERE p.paperId IS NOT NULL
RETURN id(p) AS node,
       p.paperId AS paperId,
       [(p)-[:CITES]->(c) | id(c)] AS refs,
       [(p)-[:HAS_TOPIC]->(t) | id(t)] AS topics
ORDER BY p.paperId
