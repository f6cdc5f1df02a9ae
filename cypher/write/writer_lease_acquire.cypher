// params: token, holder, host, pid, ttlMs, staleToken
// returns: acquired (true when $token now holds the lease), holder, host, pid, token, expiresAt (ms since the epoch) of the lease in force after the call, lapsedToken (the token of a lapsed or stale lease this call took over, else null)
// The one-writer rule across processes: Meta{key:'writerLease'} names the one writer of the graph
// (holder, host, pid) and when its lease lapses unless renewed. Taking it succeeds when it is free,
// lapsed, already held by $token (a renewal), or held by $staleToken (the caller saw that its
// process is dead). Setting lockedAt first takes the node's write lock, so two processes racing
// for the lease are serialised here and the second reads the first's committed holder.
MERGE (l:Meta {key: 'writerLease'})
SET l.lockedAt = timestamp()
WITH l, timestamp() AS now
WITH l, now,
     l.token IS NULL OR l.expiresAt IS NULL OR l.expiresAt < now OR l.token = $token
       OR ($staleToken IS NOT NULL AND l.token = $staleToken) AS free
WITH l, free,
     CASE WHEN free AND l.token IS NOT NULL AND l.token <> $token THEN l.token END AS lapsed,
     CASE WHEN free THEN $token ELSE l.token END AS token,
     CASE WHEN free THEN $holder ELSE l.holder END AS holder,
     CASE WHEN free THEN $host ELSE l.host END AS host,
     CASE WHEN free THEN $pid ELSE l.pid END AS pid,
     CASE WHEN free THEN now + $ttlMs ELSE l.expiresAt END AS expiresAt
SET l.token = token, l.holder = holder, l.host = host, l.pid = pid, l.expiresAt = expiresAt
RETURN free AS acquired, holder, host, pid, token, expiresAt, lapsed AS lapsedToken
