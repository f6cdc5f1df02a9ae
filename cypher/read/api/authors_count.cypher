// params: nameContains
// returns: total, the number of authors the filter keeps (authors' totalCount; only run when asked for)
MATCH (a:Author)
WHERE $nameContains IS NULL OR toLower(a.name) CONTAINS $nameContains
RETURN count(a) AS total
