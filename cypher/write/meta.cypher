// params: load
// returns: version (the graph version after this write)
// load: a flat map {at, source, status, papers, cites, nodesCreated, ...}
// recorded on Meta{key:'load'}; Meta{key:'graph'}.version goes up by one on
// every write, so analytics can tell its stored scores are stale.
MERGE (l:Meta {key: 'load'})
SET l += $load
MERGE (g:Meta {key: 'graph'})
SET g.version = coalesce(g.version, 0) + 1,
    g.updatedAt = $load.at
RETURN g.version AS version
