// params: -
// returns: version (Meta{key:'graph'}.version, null before the first recorded load)
// Every recorded load bumps it (write/meta), so a cached projection or stored
// scores computed at another version are stale.
OPTIONAL MATCH (g:Meta {key: 'graph'})
RETURN g.version AS version
