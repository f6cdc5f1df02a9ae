// params: query
// returns: total, the number of hits of the paper_text full-text index (search's totalCount; only run when asked for)
CALL db.index.fulltext.queryNodes('paper_text', $query)
YIELD node
RETURN count(node) AS total
