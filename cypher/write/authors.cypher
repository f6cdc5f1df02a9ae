// params: rows
// returns: nothing; one Author per authorId, nulls never erase known values
// rows: {authorId, name, hIndex, citationCount, paperCount} (+ openalexId, orcid from
// OpenAlex; the first OpenAlex id matched to an S2 author is kept)
UNWIND $rows AS row
MERGE (a:Author {authorId: row.authorId})
SET a.name = coalesce(row.name, a.name),
    a.hIndex = coalesce(row.hIndex, a.hIndex),
    a.citationCount = coalesce(row.citationCount, a.citationCount),
    a.paperCount = coalesce(row.paperCount, a.paperCount),
    a.openalexId = coalesce(a.openalexId, row.openalexId),
    a.orcid = coalesce(a.orcid, row.orcid)
