// params: rows, loadedAt, loadNo
// returns: paperId, one row per Paper this statement created
// rows: {paperId, props}; props holds the row's non-null values (isSeed and
// synthetic always, as booleans), i.e. exactly what write/papers would store
// on a paper it creates. A paperId already in the graph is skipped here and
// left to write/papers (MERGE, coalesce), so a rerun or a resumed load is
// unchanged. A concurrent writer that creates the same paperId in between
// makes the CREATE fail on the unique constraint; the writer then redoes the
// whole batch with write/papers. addedBy: the creating load's number
// (write/load_begin), for the change feed.
UNWIND $rows AS row
OPTIONAL MATCH (existing:Paper {paperId: row.paperId})
WITH row WHERE existing IS NULL
CREATE (p:Paper)
SET p = row.props,
    p.loadedAt = $loadedAt,
    p.addedBy = $loadNo
RETURN row.paperId AS paperId
