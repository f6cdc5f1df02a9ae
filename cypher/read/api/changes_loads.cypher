// params: since, limit
// returns: version, at, source, status, papersAdded, citationsAdded, fromLoadNo, toLoadNo
// The Load records of graph versions after $since, oldest first (write/meta).
MATCH (l:Load)
WHERE l.version > $since
RETURN l.version AS version, l.at AS at, l.source AS source, l.status AS status,
       coalesce(l.papersAdded, 0) AS papersAdded, coalesce(l.citationsAdded, 0) AS citationsAdded,
       l.fromLoadNo AS fromLoadNo, l.toLoadNo AS toLoadNo
ORDER BY version
LIMIT $limit
