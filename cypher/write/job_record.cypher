// params: job
// returns: nothing
// job: a flat map {id, kind, status, owner, createdAt, startedAt, finishedAt,
// params (JSON text), counts (JSON text), errors, messages (lists of text)}.
// A job is Meta bookkeeping (labels Meta:Job, key 'job:<id>'): the meta_key
// constraint indexes this MERGE, and graph_dump and the analytics projection,
// which leave Meta out, never see jobs.
MERGE (j:Meta {key: 'job:' + $job.id})
SET j:Job
SET j += $job
