// params: fromNo, toNo, seeds, topic, limit
// returns: paperId (the first $limit by paperId)
// Papers created by the loads numbered ($fromNo, $toNo] (addedBy, indexed),
// optionally only those citing one of $seeds and/or carrying topic $topic.
// ORDER BY + LIMIT keeps only $limit rows in memory however large the load.
MATCH (p:Paper)
WHERE p.addedBy > $fromNo AND p.addedBy <= $toNo
  AND ($seeds IS NULL OR EXISTS { MATCH (p)-[:CITES]->(s:Paper) WHERE s.paperId IN $seeds })
  AND ($topic IS NULL OR EXISTS { MATCH (p)-[:HAS_TOPIC]->(:Topic {key: $topic}) })
RETURN p.paperId AS paperId
ORDER BY paperId
LIMIT $limit
