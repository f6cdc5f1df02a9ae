// params: fromNo, toNo, seeds, topic, limit
// returns: citing, cited, isInfluential, addedBy (the first $limit by cited, then citing)
// CITES relationships created by the loads numbered ($fromNo, $toNo]
// (addedBy, indexed), optionally only those citing one of $seeds and/or
// whose citing paper carries topic $topic. ORDER BY + LIMIT keeps only
// $limit rows in memory however large the load.
MATCH (a:Paper)-[c:CITES]->(b:Paper)
WHERE c.addedBy > $fromNo AND c.addedBy <= $toNo
  AND ($seeds IS NULL OR b.paperId IN $seeds)
  AND ($topic IS NULL OR EXISTS { MATCH (a)-[:HAS_TOPIC]->(:Topic {key: $topic}) })
RETURN a.paperId AS citing, b.paperId AS cited, c.isInfluential AS isInfluential,
       c.addedBy AS addedBy
ORDER BY cited, citing
LIMIT $limit
