// params: ids, limit
// returns: id, items per paper: items = [{topic, score, source}] by HAS_TOPIC.score descending (then key), at most $limit
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
CALL (p) {
  MATCH (p)-[r:HAS_TOPIC]->(t:Topic)
  WITH t, r ORDER BY coalesce(r.score, 0.0) DESC, t.key LIMIT $limit
  RETURN collect({topic: properties(t), score: r.score, source: r.source}) AS items
}
RETURN id, items
