// params: fromNo, toNo, seeds, topic, limit
// returns: total, paperIds (the first $limit by paperId)
// Papers created by the loads numbered ($fromNo, $toNo] (addedBy, indexed),
// optionally only those citing one of $seeds and/or carrying topic $topic.
MATCH (p:Paper)
WHERE p.addedBy > $fromNo AND p.addedBy <= $toNo
  AND ($seeds IS NULL OR EXISTS { MATCH (p)-[:CITES]->(s:Paper) WHERE s.paperId IN $seeds })
  AND ($topic IS NULL OR EXISTS { MATCH (p)-[:HAS_TOPIC]->(:Topic {key: $topic}) })
WITH p.paperId AS paperId ORDER BY paperId
WITH collect(paperId) AS ids
RETURN size(ids) AS total, ids[0..$limit] AS paperIds
