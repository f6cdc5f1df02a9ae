// params: keep
// returns: pruned (how many Job nodes were deleted)
// The history is bounded like the in-memory one: the newest $keep jobs stay.
MATCH (j:Job)
WITH j ORDER BY j.createdAt DESC
SKIP $keep
DETACH DELETE j
RETURN count(*) AS pruned
