// params: query, skip, limit
// returns: paper (properties), score per hit of the paper_text full-text index, best score first, then paperId
// $query is built by graph_api.search_query from words only: user text is never Lucene syntax.
// The index returns equal scores in no stable order (and a different subset of them under its own
// limit), so hits are ordered here, with paperId breaking ties: pages never repeat or skip a hit.
CALL db.index.fulltext.queryNodes('paper_text', $query) YIELD node, score
WITH node, score
ORDER BY score DESC, node.paperId
SKIP $skip
LIMIT $limit
RETURN node {.*, embedding: null} AS paper, score
