// params: rows
// returns: nothing; sets pagerank, pagerankRank, pagerankPercentile, community on existing Papers
// rows: {paperId, score, rank, percentile, community}. One statement for all
// four scores: one index lookup and one write per paper. MATCH, not MERGE:
// scores never create papers (one deleted since the projection was read is
// skipped).
UNWIND $rows AS row
MATCH (p:Paper {paperId: row.paperId})
SET p.pagerank = row.score,
    p.pagerankRank = row.rank,
    p.pagerankPercentile = row.percentile,
    p.community = row.community
