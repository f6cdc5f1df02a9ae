// params: topicKey
// returns: paperIds, scores (best first), version (graph version they were computed on); no row for an unknown topic
// What `citekb analytics` stored for the topic (write/topic_personalised); nulls
// when the topic was below the size threshold or analytics never ran.
MATCH (t:Topic {key: $topicKey})
RETURN t.personalisedPaperIds AS paperIds,
       t.personalisedScores AS scores,
       t.personalisedVersion AS version
