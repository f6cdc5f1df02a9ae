// params: fromNo, toNo, seeds, topic
// returns: total (papers of changes_papers without the limit)
MATCH (p:Paper)
WHERE p.addedBy > $fromNo AND p.addedBy <= $toNo
  AND ($seeds IS NULL OR EXISTS { MATCH (p)-[:CITES]->(s:Paper) WHERE s.paperId IN $seeds })
  AND ($topic IS NULL OR EXISTS { MATCH (p)-[:HAS_TOPIC]->(:Topic {key: $topic}) })
RETURN count(p) AS total
