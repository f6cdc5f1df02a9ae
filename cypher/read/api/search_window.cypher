// params: query, window
// returns: hits, one list of {paper (properties), score}: the index's best `window` hits of the paper_text full-text index, best score first (ties in no stable order)
// One bounded pass over the index: graph_api.service.queries.search_page pages from it in
// Python when every hit at or above the page's cut score is inside the window, and runs
// read/api/search_papers (two passes, the second over every hit) only when ties at the cut
// fill the window. At 100k synthetic papers this pass took a median 4 ms against 13-37 ms.
// One record (a list): the async driver takes several event-loop turns per record.
CALL db.index.fulltext.queryNodes('paper_text', $query, {limit: $window})
YIELD node, score
RETURN collect({paper: node {.*, embedding: null}, score: score}) AS hits
