// params: nameContains, source
// returns: total, the number of topics the filter keeps (topics' totalCount; only run when asked for)
MATCH (t:Topic)
WHERE ($nameContains IS NULL OR toLower(t.name) CONTAINS $nameContains)
  AND ($source IS NULL OR t.source = $source)
RETURN count(t) AS total
