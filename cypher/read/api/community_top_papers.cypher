// params: ids, limit
// returns: id, items (paper property maps, highest stored PageRank first, ties by paperId; at most $limit) per community id that has papers
// Community ids and PageRank are what `citekb analytics` stored. One pass in
// PageRank order (the paper_pagerank index) over the papers of all the asked
// communities, whatever their number; node references are collected and only
// the kept ones are turned into property maps.
MATCH (p:Paper)
WHERE p.pagerank IS NOT NULL AND p.community IN $ids
WITH p ORDER BY p.pagerank DESC, p.paperId
WITH p.community AS id, collect(p)[..$limit] AS top
RETURN id, [q IN top | q {.*, embedding: null}] AS items
