// params: meta
// returns: graphVersion (the graph version the stored scores were computed on)
// meta: {graphVersion, computedAt, papers, cites, communities, communityLabels,
// communitySizes, alpha, louvainSeed, louvainResolution, engine, tookS}. The
// analytics are stale when graphVersion differs from Meta{key:'graph'}.version.
MERGE (a:Meta {key: 'analytics'})
SET a += $meta
RETURN a.graphVersion AS graphVersion
