// params: rows
// returns: nothing; sets community (Louvain id, 0 = largest) on existing Papers
// rows: {paperId, community}
UNWIND $rows AS row
MATCH (p:Paper {paperId: row.paperId})
SET p.community = row.community
