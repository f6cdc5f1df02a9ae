// params: -
// returns: job (the properties of every Meta:Job node still QUEUED or RUNNING)
// Read at API start: a job whose process died stays RUNNING/QUEUED on its node until someone
// says otherwise (graph_api jobs marks those failed).
MATCH (j:Job)
WHERE j.status IN ['QUEUED', 'RUNNING']
RETURN properties(j) AS job
