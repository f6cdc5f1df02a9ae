// params: version
// returns: papersAdded, citationsAdded (now also stored on the Load record)
// Counts what the Load record of graph version $version added: Paper nodes
// and CITES relationships stamped with a load number in its range
// (index-backed: paper_addedBy, cites_addedBy).
MATCH (r:Load {version: $version})
CALL (r) {
  MATCH (p:Paper) WHERE p.addedBy > r.fromLoadNo AND p.addedBy <= r.toLoadNo
  RETURN count(p) AS papersAdded
}
CALL (r) {
  MATCH ()-[c:CITES]->() WHERE c.addedBy > r.fromLoadNo AND c.addedBy <= r.toLoadNo
  RETURN count(c) AS citationsAdded
}
SET r.papersAdded = papersAdded, r.citationsAdded = citationsAdded
RETURN papersAdded, citationsAdded
