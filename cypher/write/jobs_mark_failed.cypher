// params: rows
// returns: marked (how many jobs were still unfinished and are now FAILED)
// rows: [{id, finishedAt, error}]. Only a job still QUEUED or RUNNING is changed, so a job that
// finished meanwhile keeps its real outcome.
UNWIND $rows AS row
MATCH (j:Meta {key: 'job:' + row.id})
WHERE j:Job AND j.status IN ['QUEUED', 'RUNNING']
SET j.status = 'FAILED', j.finishedAt = row.finishedAt,
    j.errors = coalesce(j.errors, []) + [row.error]
RETURN count(j) AS marked
