// params: ids
// returns: id, items per paper: items = [{year, count}] of the papers citing it, by year (unknown years left out)
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
CALL (p) {
  MATCH (p)<-[:CITES]-(c:Paper)
  WHERE c.year IS NOT NULL
  WITH c.year AS year, count(*) AS n ORDER BY year
  RETURN collect({year: year, count: n}) AS items
}
RETURN id, items
