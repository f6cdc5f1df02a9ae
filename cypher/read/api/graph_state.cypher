// params: -
// returns: version, dirty, analyticsAt (what the API's answers depend on beside the rows)
// version: Meta{key:'graph'}.version (bumped by every recorded load); dirty:
// a load has written rows it has not recorded yet (write/graph_dirty);
// analyticsAt: when `citekb analytics` last stored scores. One row always.
OPTIONAL MATCH (g:Meta {key: 'graph'})
OPTIONAL MATCH (a:Meta {key: 'analytics'})
RETURN g.version AS version,
       coalesce(g.dirty, false) AS dirty,
       a.computedAt AS analyticsAt
