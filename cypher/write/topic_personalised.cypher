// params: rows, graphVersion
// returns: topics (how many Topic nodes were given their ranking)
// rows: [{key, paperIds, scores}]: the best papers by PageRank
// personalised on the topic's papers, best first (`citekb analytics`,
// graph_api/store/analytics_store.py). Stored on the Topic so that
// influentialPapers(topic:, personalized: true) is one index read;
// personalisedVersion says which graph version they were computed on.
UNWIND $rows AS row
MATCH (t:Topic {key: row.key})
SET t.personalisedPaperIds = row.paperIds,
    t.personalisedScores = row.scores,
    t.personalisedVersion = $graphVersion
RETURN count(t) AS topics
