// params: rows
// returns: nothing; one Author per authorId, nulls never erase known values
// rows: {authorId, name, hIndex, citationCount, paperCount}
UNWIND $rows AS row
MERGE (a:Author {authorId: row.authorId})
SET a.name = coalesce(row.name, a.name),
    a.hIndex = coalesce(row.hIndex, a.hIndex),
    a.citationCount = coalesce(row.citationCount, a.citationCount),
    a.paperCount = coalesce(row.paperCount, a.paperCount)
