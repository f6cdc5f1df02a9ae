// params: -
// returns: graphVersion, analyticsVersion, computedAt, papers, cites, communities, communityLabels, communitySizes, tookS (nulls when never computed)
// Both Metas are single nodes (unique key), so this is one row.
OPTIONAL MATCH (g:Meta {key: 'graph'})
OPTIONAL MATCH (a:Meta {key: 'analytics'})
RETURN g.version AS graphVersion,
       a.graphVersion AS analyticsVersion,
       a.computedAt AS computedAt,
       a.papers AS papers,
       a.cites AS cites,
       a.communities AS communities,
       a.communityLabels AS communityLabels,
       a.communitySizes AS communitySizes,
       a.tookS AS tookS
