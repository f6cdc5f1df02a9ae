// params: -
// returns: loadNo (a number for the load about to write)
// Every load takes a number before its first write and stamps it as
// `addedBy` on the Paper nodes and CITES relationships it creates. The graph
// version is only known when the load is recorded (write/meta), so the Load
// record names the range of load numbers it accounts for: a killed load's
// number is never recorded, and what it created is counted by the next load
// that is (the rerun that completes it).
MERGE (g:Meta {key: 'graph'})
SET g.loadSeq = coalesce(g.loadSeq, 0) + 1
RETURN g.loadSeq AS loadNo
