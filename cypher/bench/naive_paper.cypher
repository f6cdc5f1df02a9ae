// params: row, loadedAt
// returns: nothing; one Paper MERGEd on paperId (the benchmark's naive baseline)
// bench/ingest.py runs this once per row, each in its own auto-commit
// transaction: the "one MERGE per row" loader the batched writer is measured
// against. The SETs are those of write/papers, so both do the same work per
// row and only the batching differs.
MERGE (p:Paper {paperId: $row.paperId})
SET p.corpusId = coalesce($row.corpusId, p.corpusId),
    p.arxivId = coalesce($row.arxivId, p.arxivId),
    p.doi = coalesce($row.doi, p.doi),
    p.title = coalesce($row.title, p.title),
    p.titleKey = coalesce($row.titleKey, p.titleKey),
    p.abstract = coalesce($row.abstract, p.abstract),
    p.year = coalesce($row.year, p.year),
    p.publicationDate = coalesce($row.publicationDate, p.publicationDate),
    p.venue = coalesce($row.venue, p.venue),
    p.citationCount = coalesce($row.citationCount, p.citationCount),
    p.referenceCount = coalesce($row.referenceCount, p.referenceCount),
    p.influentialCitationCount = coalesce($row.influentialCitationCount, p.influentialCitationCount),
    p.tldr = coalesce($row.tldr, p.tldr),
    p.url = coalesce($row.url, p.url),
    p.openAccessPdf = coalesce($row.openAccessPdf, p.openAccessPdf),
    p.hfUpvotes = coalesce($row.hfUpvotes, p.hfUpvotes),
    p.isSeed = coalesce(p.isSeed, false) OR coalesce($row.isSeed, false),
    p.synthetic = coalesce(p.synthetic, false) OR coalesce($row.synthetic, false),
    p.enrichedAt = coalesce($row.enrichedAt, p.enrichedAt),
    p.loadedAt = $loadedAt
