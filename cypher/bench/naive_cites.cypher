// params: row
// returns: nothing; one (Paper)-[:CITES]->(Paper) MERGEd (the benchmark's naive baseline)
// bench/ingest.py runs this once per row, each in its own auto-commit
// transaction; the MERGEs and SETs are those of write/cites, so only the
// batching differs from the project's writer.
MERGE (a:Paper {paperId: $row.citing})
  ON CREATE SET a.isSeed = false
MERGE (b:Paper {paperId: $row.cited})
  ON CREATE SET b.isSeed = false
MERGE (a)-[r:CITES]->(b)
SET r.isInfluential = coalesce($row.isInfluential, r.isInfluential, false),
    r.intents = CASE WHEN size(coalesce($row.intents, [])) > 0 THEN $row.intents
                     ELSE r.intents END,
    r.source = coalesce($row.source, r.source)
