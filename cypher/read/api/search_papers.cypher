// params: query, skip, limit
// returns: paper (properties), score per hit of the paper_text full-text index, best score first, then paperId
// $query is built by graph_api.search_query from words only: user text is never Lucene syntax.
// The index returns equal scores in no stable order (and a different subset of them under its own
// limit), so hits are ordered here, with paperId breaking ties: pages never repeat or skip a hit.
// Only hits scoring at least the page's last score can be on the page: the index's own top
// skip+limit give that score (the cut), and only hits at or above it are sorted (all of them, ties
// at the cut included), instead of reading paperId and sorting every hit of a common word
// (24,735 property reads for "adaptive survey" at 100k papers; 11 with the cut; same pages).
CALL db.index.fulltext.queryNodes('paper_text', $query, {limit: $skip + $limit}) YIELD score
WITH min(score) AS cut
CALL db.index.fulltext.queryNodes('paper_text', $query) YIELD node, score
WITH node, score
WHERE score >= cut
ORDER BY score DESC, node.paperId
SKIP $skip
LIMIT $limit
RETURN node {.*, embedding: null} AS paper, score
