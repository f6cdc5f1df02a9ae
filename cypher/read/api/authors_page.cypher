// params: nameContains, orderBy, afterNum, afterName, afterId, limit
// returns: author (properties), num, name (the two sort keys) per row, at most $limit
// orderBy: CITATION_COUNT | H_INDEX | PAPER_COUNT (num descending) or NAME (name ascending);
// the unused key is constant, so one ORDER BY serves all four; keyset resumes after (num, name, authorId).
MATCH (a:Author)
WHERE $nameContains IS NULL OR toLower(a.name) CONTAINS $nameContains
WITH a,
     CASE $orderBy
       WHEN 'NAME' THEN 0
       WHEN 'H_INDEX' THEN coalesce(a.hIndex, -1)
       WHEN 'PAPER_COUNT' THEN COUNT { (a)-[:AUTHORED]->() }
       ELSE coalesce(a.citationCount, -1)
     END AS num,
     CASE $orderBy WHEN 'NAME' THEN toLower(coalesce(a.name, '')) ELSE '' END AS name
WHERE $afterId IS NULL OR num < $afterNum
   OR (num = $afterNum AND (name > $afterName OR (name = $afterName AND a.authorId > $afterId)))
RETURN properties(a) AS author, num, name
ORDER BY num DESC, name, a.authorId
LIMIT $limit
