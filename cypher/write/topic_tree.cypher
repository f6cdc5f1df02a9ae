// params: rows
// returns: nothing; (Topic)-[:SUBTOPIC_OF]->(Topic): OpenAlex's topic > subfield > field >
// domain, and keyphrase topics filed under the OpenAlex topic they fall under
// rows: {key, name, level, openalexId, source, parentKey, parentName, parentLevel,
// parentOpenalexId}; nulls never erase known values.
UNWIND $rows AS row
MERGE (c:Topic {key: row.key})
  ON CREATE SET c.name = row.name, c.source = row.source
SET c.level = coalesce(c.level, row.level),
    c.openalexId = coalesce(c.openalexId, row.openalexId)
MERGE (p:Topic {key: row.parentKey})
  ON CREATE SET p.name = row.parentName, p.source = 'openalex'
SET p.level = coalesce(p.level, row.parentLevel),
    p.openalexId = coalesce(p.openalexId, row.parentOpenalexId)
MERGE (c)-[:SUBTOPIC_OF]->(p)
