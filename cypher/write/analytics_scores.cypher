// params: rows
// returns: nothing; sets pagerank, pagerankRank, pagerankPercentile, community on existing Papers
// rows: [node, paperId, score, rank, percentile, community] lists (no map
// keys to pack per row). The node id read in the projection's transaction
// finds the paper without an index seek; the paperId guard makes a node id
// reused since that read (paper deleted, another node created) a no-op
// instead of a write to the wrong node. MATCH, not MERGE: scores never
// create papers.
UNWIND $rows AS row
MATCH (p:Paper)
WHERE id(p) = row[0] AND p.paperId = row[1]
SET p.pagerank = row[2],
    p.pagerankRank = row[3],
    p.pagerankPercentile = row[4],
    p.community = row[5]
