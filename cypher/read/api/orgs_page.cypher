// params: nameContains, orderBy, descending, afterNum, afterName, afterId, limit
// returns: org (properties plus paperCount), num, name (the sort keys) per row, at most $limit
// orderBy: PAPER_COUNT or NAME; descending: the direction. An ascending count is sorted as its
// negation and a descending name by the DESC key below, so one ORDER BY serves all four orders;
// keyset resumes after (num, name, key).
// paperCount = distinct papers submitted by the org or written by its affiliated authors.
MATCH (o:Org)
WHERE $nameContains IS NULL OR toLower(o.name) CONTAINS $nameContains
WITH o, COUNT {
  MATCH (o)-[:SUBMITTED]->(q:Paper) RETURN q
  UNION
  MATCH (o)<-[r:AFFILIATED_WITH]-(:Author)-[:AUTHORED]->(q:Paper)
    WHERE r.paperId IS NULL OR r.paperId = q.paperId RETURN q
} AS paperCount
WITH o, paperCount,
     CASE $orderBy WHEN 'NAME' THEN 0
       ELSE paperCount * CASE WHEN $descending THEN 1 ELSE -1 END END AS num,
     CASE $orderBy WHEN 'NAME' THEN toLower(coalesce(o.name, '')) ELSE '' END AS name
WITH *, $orderBy = 'NAME' AND $descending AS nameDesc
WHERE $afterId IS NULL OR num < $afterNum
   OR (num = $afterNum AND ((nameDesc AND name < $afterName) OR (NOT nameDesc AND name > $afterName)
       OR (name = $afterName AND o.key > $afterId)))
RETURN o {.*, paperCount: paperCount} AS org, num, name
ORDER BY num DESC, CASE WHEN nameDesc THEN name END DESC, name, o.key
LIMIT $limit
