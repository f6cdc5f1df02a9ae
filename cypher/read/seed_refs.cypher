// params: -
// returns: paperId, title, arxivId, doi, publicationDate, abstract, authorsCount, hfUpvotes
// Every seed of the graph, as `citekb refresh` asks S2 about it again: a
// resolved seed by its S2 id, a placeholder (an entry S2 did not resolve,
// paperId 'title:...') by what the page said.
MATCH (p:Paper)
WHERE p.isSeed = true
RETURN p.paperId AS paperId, p.title AS title, p.arxivId AS arxivId, p.doi AS doi,
       p.publicationDate AS publicationDate, p.abstract AS abstract,
       p.authorsCount AS authorsCount, p.hfUpvotes AS hfUpvotes
ORDER BY paperId
