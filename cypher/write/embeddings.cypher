// params: rows
// returns: nothing; Paper.embedding (a 768-float vector, stored as float32) and Paper.embeddingModel
// rows: {paperId, vector, model}. Only papers already in the graph get a
// vector (an embedding alone says nothing worth a node). The procedure checks
// the vector and stores it in the compact float32 form the vector index
// reads; a later vector for the same paper replaces the earlier one.
UNWIND $rows AS row
MATCH (p:Paper {paperId: row.paperId})
CALL db.create.setNodeVectorProperty(p, 'embedding', row.vector)
SET p.embeddingModel = coalesce(row.model, p.embeddingModel)
