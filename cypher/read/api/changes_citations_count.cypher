// params: fromNo, toNo, seeds, topic
// returns: total (citations of changes_citations without the limit)
MATCH (a:Paper)-[c:CITES]->(b:Paper)
WHERE c.addedBy > $fromNo AND c.addedBy <= $toNo
  AND ($seeds IS NULL OR b.paperId IN $seeds)
  AND ($topic IS NULL OR EXISTS { MATCH (a)-[:HAS_TOPIC]->(:Topic {key: $topic}) })
RETURN count(c) AS total
