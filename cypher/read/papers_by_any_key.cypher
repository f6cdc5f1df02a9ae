// params: keys
// returns: i, paperId (one row per key that names a paper of the graph)
// keys: [{i, kind ('paper'|'arxiv'|'doi'|'corpus'), value}] as parsed from any
// id form (graph_api/service/paper_ids.py); used by the CLI to resolve seeds.
// One index seek per key (a UNION branch per kind).
UNWIND $keys AS k
CALL (k) {
  MATCH (p:Paper {paperId: k.value}) WHERE k.kind = 'paper' RETURN p
  UNION
  MATCH (p:Paper {arxivId: k.value}) WHERE k.kind = 'arxiv' RETURN p
  UNION
  MATCH (p:Paper {doi: k.value}) WHERE k.kind = 'doi' RETURN p
  UNION
  MATCH (p:Paper {corpusId: k.value}) WHERE k.kind = 'corpus' RETURN p
}
WITH k, p ORDER BY p.paperId
WITH k, collect(p.paperId)[0] AS paperId
RETURN k.i AS i, paperId
