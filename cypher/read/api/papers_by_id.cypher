// params: ids
// returns: id, paper (all properties but the embedding, which no Paper field shows) for each id that names a Paper; unknown ids give no row
// One round trip for every paper looked up in a request (the API's DataLoader batches ids).
UNWIND $ids AS id
MATCH (p:Paper {paperId: id})
RETURN id, p {.*, embedding: null} AS paper
