// params: at
// returns: version (the graph version, unchanged)
// A load's first write. Until write/meta records the load (and clears the
// flag), rows of an unrecorded load may be in the graph under the current
// version: readers that cache per version (the API's response cache) must not
// cache while Meta{key:'graph'}.dirty is true. A load that dies part-way leaves
// the flag set until the next recorded load.
MERGE (g:Meta {key: 'graph'})
SET g.dirty = true,
    g.dirtySince = $at
RETURN g.version AS version
