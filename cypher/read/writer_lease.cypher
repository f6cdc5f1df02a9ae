// params: -
// returns: holder, host, pid, token, expiresAt (ms since the epoch), now (the server's clock, ms); one row, nulls when no writer holds the lease
OPTIONAL MATCH (l:Meta {key: 'writerLease'})
RETURN l.holder AS holder, l.host AS host, l.pid AS pid, l.token AS token, l.expiresAt AS expiresAt,
       timestamp() AS now
