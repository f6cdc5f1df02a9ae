// params: ids
// returns: paperId, title, year, doi, arxivId, url, abstract, venue, authors (names in author order), one row per id that names a Paper, in the order of $ids
// What a BibTeX/RIS export writes for each paper (graph_api/store/graph_export.py).
UNWIND range(0, size($ids) - 1) AS i
MATCH (p:Paper {paperId: $ids[i]})
RETURN p.paperId AS paperId,
       p.title AS title,
       p.year AS year,
       p.doi AS doi,
       p.arxivId AS arxivId,
       p.url AS url,
       p.abstract AS abstract,
       p.venue AS venue,
       COLLECT {
         MATCH (a:Author)-[r:AUTHORED]->(p)
         RETURN a.name ORDER BY r.position, a.authorId
       } AS authors
ORDER BY i
