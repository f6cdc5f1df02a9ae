// params: ids
// returns: id, venue (properties plus paperCount) for each normalised key that names a Venue
UNWIND $ids AS id
MATCH (v:Venue {key: id})
RETURN id, v {.*, paperCount: COUNT { (v)<-[:PUBLISHED_IN]-() }} AS venue
