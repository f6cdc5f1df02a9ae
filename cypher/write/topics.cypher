// params: rows
// returns: nothing; Topic per key and (Paper)-[:HAS_TOPIC {source, score}]->(Topic)
// rows: {paperId, key, name, source, score} (+ level, openalexId for OpenAlex topics)
UNWIND $rows AS row
MATCH (p:Paper {paperId: row.paperId})
MERGE (t:Topic {key: row.key})
  ON CREATE SET t.name = row.name, t.source = row.source
SET t.level = coalesce(t.level, row.level),
    t.openalexId = coalesce(t.openalexId, row.openalexId)
MERGE (p)-[r:HAS_TOPIC]->(t)
SET r.source = coalesce(row.source, r.source),
    r.score = coalesce(row.score, r.score)
