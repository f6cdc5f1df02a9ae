// params: load, loadNo
// returns: version (the graph version after this write), fromLoadNo, toLoadNo
// load: a flat map {at, source, status, papers, cites, nodesCreated, ...}
// recorded on Meta{key:'load'} (the last load) and on a Meta:Load record
// keyed by the graph version it produced ('load:<version>'), which accounts
// for the load numbers (fromLoadNo, toLoadNo] (write/load_begin): its own
// and any earlier one never recorded (killed). Meta{key:'graph'}.version goes
// up by one on every write, so analytics can tell its stored scores are
// stale. A load recorded after a later-numbered one accounts for nothing new
// (its items were counted by the other), so nothing is counted twice.
// Recording the load also clears the dirty flag its first write set
// (write/graph_dirty).
MERGE (l:Meta {key: 'load'})
SET l += $load
MERGE (g:Meta {key: 'graph'})
SET g.version = coalesce(g.version, 0) + 1,
    g.updatedAt = $load.at,
    g.dirty = false
WITH g, coalesce(g.loadsRecordedTo, 0) AS fromNo
WITH g, fromNo,
     CASE WHEN $loadNo IS NULL OR $loadNo < fromNo THEN fromNo ELSE $loadNo END AS toNo
SET g.loadsRecordedTo = toNo
CREATE (r:Meta:Load {key: 'load:' + toString(g.version)})
SET r += $load,
    r.version = g.version,
    r.fromLoadNo = fromNo,
    r.toLoadNo = toNo
RETURN g.version AS version, fromNo AS fromLoadNo, toNo AS toLoadNo
