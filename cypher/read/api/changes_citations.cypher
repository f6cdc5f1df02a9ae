// params: fromNo, toNo, seeds, topic, limit
// returns: total, citations ([{citing, cited, isInfluential, addedBy}], the first $limit)
// CITES relationships created by the loads numbered ($fromNo, $toNo]
// (addedBy, indexed), optionally only those citing one of $seeds and/or
// whose citing paper carries topic $topic; ordered by cited, then citing.
MATCH (a:Paper)-[c:CITES]->(b:Paper)
WHERE c.addedBy > $fromNo AND c.addedBy <= $toNo
  AND ($seeds IS NULL OR b.paperId IN $seeds)
  AND ($topic IS NULL OR EXISTS { MATCH (a)-[:HAS_TOPIC]->(:Topic {key: $topic}) })
WITH a.paperId AS citing, b.paperId AS cited, c.isInfluential AS isInfluential, c.addedBy AS addedBy
ORDER BY cited, citing
WITH collect({citing: citing, cited: cited, isInfluential: isInfluential, addedBy: addedBy}) AS rows
RETURN size(rows) AS total, rows[0..$limit] AS citations
