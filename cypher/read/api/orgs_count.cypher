// params: nameContains
// returns: total, the number of orgs the filter keeps (orgs' totalCount; only run when asked for)
MATCH (o:Org)
WHERE $nameContains IS NULL OR toLower(o.name) CONTAINS $nameContains
RETURN count(o) AS total
