// params: ids
// returns: papers, one list of {id, paper (all properties but the embedding)} for the ids that name a Paper, in no particular order
// read/api/papers_by_id in one record: the async driver takes several event-loop turns per
// record it receives (a lineage's 100 papers as 100 records: ~190 turns, most of a compiled
// lineage request's time at 100k papers), one list is one record.
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
RETURN collect({id: id, paper: p {.*, embedding: null}}) AS papers
