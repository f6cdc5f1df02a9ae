// params: -
// returns: ok = 1 when the database answers a read (GET /healthz)
RETURN 1 AS ok
