// params: -
// returns: n (how many placeholder Papers exist; the writer skips the merge step when 0)
MATCH (p:Paper) WHERE p.paperId STARTS WITH 'title:'
RETURN count(p) AS n
