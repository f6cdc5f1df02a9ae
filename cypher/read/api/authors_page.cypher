// params: nameContains, orderBy, descending, afterNum, afterName, afterId, limit
// returns: author (properties), num, name (the two sort keys) per row, at most $limit
// orderBy: CITATION_COUNT | H_INDEX | PAPER_COUNT (num) or NAME (name); descending: the direction.
// An ascending count is sorted as its negation and a descending name by the DESC key below, so
// one ORDER BY serves all eight orders; the unused key is constant; keyset resumes after
// (num, name, authorId).
MATCH (a:Author)
WHERE $nameContains IS NULL OR toLower(a.name) CONTAINS $nameContains
WITH a,
     CASE $orderBy
       WHEN 'NAME' THEN 0
       WHEN 'H_INDEX' THEN coalesce(a.hIndex, -1)
       WHEN 'PAPER_COUNT' THEN COUNT { (a)-[:AUTHORED]->() }
       ELSE coalesce(a.citationCount, -1)
     END * CASE WHEN $descending THEN 1 ELSE -1 END AS num,
     CASE $orderBy WHEN 'NAME' THEN toLower(coalesce(a.name, '')) ELSE '' END AS name
WITH *, $orderBy = 'NAME' AND $descending AS nameDesc
WHERE $afterId IS NULL OR num < $afterNum
   OR (num = $afterNum AND ((nameDesc AND name < $afterName) OR (NOT nameDesc AND name > $afterName)
       OR (name = $afterName AND a.authorId > $afterId)))
RETURN properties(a) AS author, num, name
ORDER BY num DESC, CASE WHEN nameDesc THEN name END DESC, name, a.authorId
LIMIT $limit
