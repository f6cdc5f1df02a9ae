// params: rows, loadedAt, loadNo
// returns: nothing; one Paper per row, MERGEd on paperId
// A row's null never erases a known value (coalesce): a neighbour's basic
// metadata must not wipe a seed's abstract. isSeed and synthetic only ever
// go false -> true. addedBy: the number of the load that created the node
// (write/load_begin), for the change feed. rejectedMatches (placeholders only): S2 ids a verified
// title match refused, which the placeholder must never merge into.
UNWIND $rows AS row
MERGE (p:Paper {paperId: row.paperId})
  ON CREATE SET p.addedBy = $loadNo
SET p.corpusId = coalesce(row.corpusId, p.corpusId),
    p.arxivId = coalesce(row.arxivId, p.arxivId),
    p.doi = coalesce(row.doi, p.doi),
    p.title = coalesce(row.title, p.title),
    p.titleKey = coalesce(row.titleKey, p.titleKey),
    p.abstract = coalesce(row.abstract, p.abstract),
    p.year = coalesce(row.year, p.year),
    p.publicationDate = coalesce(row.publicationDate, p.publicationDate),
    p.venue = coalesce(row.venue, p.venue),
    p.citationCount = coalesce(row.citationCount, p.citationCount),
    p.referenceCount = coalesce(row.referenceCount, p.referenceCount),
    p.influentialCitationCount = coalesce(row.influentialCitationCount, p.influentialCitationCount),
    p.tldr = coalesce(row.tldr, p.tldr),
    p.url = coalesce(row.url, p.url),
    p.openAccessPdf = coalesce(row.openAccessPdf, p.openAccessPdf),
    p.hfUpvotes = coalesce(row.hfUpvotes, p.hfUpvotes),
    p.isSeed = coalesce(p.isSeed, false) OR coalesce(row.isSeed, false),
    p.synthetic = coalesce(p.synthetic, false) OR coalesce(row.synthetic, false),
    p.enrichedAt = coalesce(row.enrichedAt, p.enrichedAt),
    p.rejectedMatches = coalesce(row.rejectedMatches, p.rejectedMatches),
    p.authorsCount = coalesce(row.authorsCount, p.authorsCount),
    p.loadedAt = $loadedAt
