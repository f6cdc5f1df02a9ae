// params: nameContains, source, orderBy, afterNum, afterName, afterId, limit
// returns: topic (properties plus paperCount), num, name (the sort keys) per row, at most $limit
// orderBy: PAPER_COUNT (descending) or NAME (ascending); keyset resumes after (num, name, key).
MATCH (t:Topic)
WHERE ($nameContains IS NULL OR toLower(t.name) CONTAINS $nameContains)
  AND ($source IS NULL OR t.source = $source)
WITH t, COUNT { (t)<-[:HAS_TOPIC]-() } AS paperCount
WITH t, paperCount,
     CASE $orderBy WHEN 'NAME' THEN 0 ELSE paperCount END AS num,
     CASE $orderBy WHEN 'NAME' THEN toLower(coalesce(t.name, '')) ELSE '' END AS name
WHERE $afterId IS NULL OR num < $afterNum
   OR (num = $afterNum AND (name > $afterName OR (name = $afterName AND t.key > $afterId)))
RETURN t {.*, paperCount: paperCount} AS topic, num, name
ORDER BY num DESC, name, t.key
LIMIT $limit
