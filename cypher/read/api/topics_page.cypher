// params: nameContains, source, orderBy, descending, afterNum, afterName, afterId, limit
// returns: topic (properties plus paperCount), num, name (the sort keys) per row, at most $limit
// orderBy: PAPER_COUNT or NAME; descending: the direction. An ascending count is sorted as its
// negation and a descending name by the DESC key below, so one ORDER BY serves all four orders;
// keyset resumes after (num, name, key).
MATCH (t:Topic)
WHERE ($nameContains IS NULL OR toLower(t.name) CONTAINS $nameContains)
  AND ($source IS NULL OR t.source = $source)
WITH t, COUNT { (t)<-[:HAS_TOPIC]-() } AS paperCount
WITH t, paperCount,
     CASE $orderBy WHEN 'NAME' THEN 0
       ELSE paperCount * CASE WHEN $descending THEN 1 ELSE -1 END END AS num,
     CASE $orderBy WHEN 'NAME' THEN toLower(coalesce(t.name, '')) ELSE '' END AS name
WITH *, $orderBy = 'NAME' AND $descending AS nameDesc
WHERE $afterId IS NULL OR num < $afterNum
   OR (num = $afterNum AND ((nameDesc AND name < $afterName) OR (NOT nameDesc AND name > $afterName)
       OR (name = $afterName AND t.key > $afterId)))
RETURN t {.*, paperCount: paperCount} AS topic, num, name
ORDER BY num DESC, CASE WHEN nameDesc THEN name END DESC, name, t.key
LIMIT $limit
