// params: rows
// returns: nothing; one Org per normalised name
// rows: {key, name, handle}; the first display name seen is kept.
UNWIND $rows AS row
MERGE (o:Org {key: row.key})
  ON CREATE SET o.name = row.name
SET o.handle = coalesce(o.handle, row.handle)
