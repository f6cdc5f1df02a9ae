// params: version
// returns: papersAdded, citationsAdded (also stored on the Load record)
// write/load_added for the first load into an empty database (the offline
// importer's): every Paper and CITES there is that load's (stamped with its
// number), so the count store's totals are what write/load_added counts,
// without reading 100k papers and 1M relationships (2-6 s on a cold store).
MATCH (r:Load {version: $version})
CALL () {
  MATCH (p:Paper)
  RETURN count(p) AS papersAdded
}
CALL () {
  MATCH ()-[c:CITES]->()
  RETURN count(c) AS citationsAdded
}
SET r.papersAdded = papersAdded, r.citationsAdded = citationsAdded
RETURN papersAdded, citationsAdded
