// params: id
// returns: job (the properties of the Meta:Job node; no row when unknown)
// Read when the job is not in this process's memory: run by another API
// worker, or before a restart.
MATCH (j:Meta {key: 'job:' + $id})
WHERE j:Job
RETURN properties(j) AS job
