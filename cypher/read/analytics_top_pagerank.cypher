// params: k
// returns: paperId, pagerank, pagerankRank, pagerankPercentile, community (the k highest stored PageRanks)
// Served by the paper_pagerank range index: no scan of all papers.
MATCH (p:Paper)
WHERE p.pagerank IS NOT NULL
RETURN p.paperId AS paperId,
       p.pagerank AS pagerank,
       p.pagerankRank AS pagerankRank,
       p.pagerankPercentile AS pagerankPercentile,
       p.community AS community
ORDER BY p.pagerank DESC, p.paperId
LIMIT $k
