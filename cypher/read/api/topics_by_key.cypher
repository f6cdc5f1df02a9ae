// params: ids
// returns: id, topic (properties plus paperCount) for each normalised key that names a Topic
UNWIND $ids AS id
MATCH (t:Topic {key: id})
RETURN id, t {.*, paperCount: COUNT { (t)<-[:HAS_TOPIC]-() }} AS topic
