// params: -
// returns: node, name (one row per Topic with a name)
// Topic names by node id, for the topic lists of read/projection_citations.
MATCH (t:Topic)
WHERE t.name IS NOT NULL
RETURN id(t) AS node, t.name AS name
