// params: token
// returns: released (1 when $token held the lease and gave it up, else 0)
// Only the holder can release; a lease that lapsed and was taken by another writer stays theirs.
OPTIONAL MATCH (l:Meta {key: 'writerLease'})
WHERE l.token = $token
SET l.token = null, l.holder = null, l.host = null, l.pid = null, l.expiresAt = null
RETURN count(l) AS released
