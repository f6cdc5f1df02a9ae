// params: rows
// returns: nothing; one Org per key (ROR id, else OpenAlex id, else normalised name)
// rows: {key, name, handle} (+ ror, openalexId, country, type, source, aliases, nameKeys from
// OpenAlex);
// the first name seen is kept, nulls never erase known values, aliases accumulate.
// A stub written earlier for the same institution by its OpenAlex id (a lineage
// parent seen before its ROR id was known) is absorbed: its PART_OF and
// AFFILIATED_WITH relationships move here and the stub is deleted. So is an Org an S2
// affiliation string made (keyed by normalised name, no handle, no ids) whose key is one of
// nameKeys (the normalised spellings OpenAlex matched to this institution).
UNWIND $rows AS row
MERGE (o:Org {key: row.key})
SET o.name = coalesce(o.name, row.name),
    o.handle = coalesce(o.handle, row.handle),
    o.ror = coalesce(o.ror, row.ror),
    o.openalexId = coalesce(o.openalexId, row.openalexId),
    o.country = coalesce(o.country, row.country),
    o.type = coalesce(o.type, row.type),
    o.source = coalesce(o.source, row.source),
    o.aliases = CASE WHEN row.aliases IS NULL THEN o.aliases
                ELSE coalesce(o.aliases, []) +
                     [a IN row.aliases WHERE NOT a IN coalesce(o.aliases, [])] END
WITH o, row
CALL (o, row) {
  MATCH (stub:Org {key: 'openalex:' + row.openalexId})
  WHERE row.openalexId IS NOT NULL AND stub.key <> o.key
  CALL (stub, o) {
    MATCH (stub)-[:PART_OF]->(parent:Org) WHERE parent <> o
    MERGE (o)-[:PART_OF]->(parent)
  }
  CALL (stub, o) {
    MATCH (child:Org)-[:PART_OF]->(stub) WHERE child <> o
    MERGE (child)-[:PART_OF]->(o)
  }
  CALL (stub, o) {
    MATCH (a:Author)-[r:AFFILIATED_WITH]->(stub)
    MERGE (a)-[n:AFFILIATED_WITH {paperId: r.paperId}]->(o)
    SET n.year = coalesce(n.year, r.year)
  }
  SET o.name = coalesce(o.name, stub.name),
      o.country = coalesce(o.country, stub.country),
      o.type = coalesce(o.type, stub.type)
  DETACH DELETE stub
}
WITH o, row
CALL (o, row) {
  UNWIND coalesce(row.nameKeys, []) AS nameKey
  MATCH (named:Org {key: nameKey})
  WHERE named <> o AND named.handle IS NULL AND named.ror IS NULL AND named.openalexId IS NULL
  CALL (named, o) {
    MATCH (a:Author)-[r:AFFILIATED_WITH]->(named)
    WHERE NOT EXISTS { (a)-[same:AFFILIATED_WITH]->(o) WHERE same.paperId IS NULL }
    CREATE (a)-[:AFFILIATED_WITH]->(o)
  }
  DETACH DELETE named
}
