// params: id, others
// returns: citing, cited (paperIds), isInfluential, intents, contexts, contextIntents of every CITES relationship between paper $id and a paper of $others, either way, ordered by citing then cited
// The explorer's details panel: why the clicked paper and the view's origins cite
// each other, with the citing sentences. $others are distinct paperIds (at most 100);
// each is one index lookup and an expand over that pair's relationships.
MATCH (p:Paper {paperId: $id})
UNWIND $others AS other
MATCH (o:Paper {paperId: other})
MATCH (p)-[r:CITES]-(o)
RETURN startNode(r).paperId AS citing, endNode(r).paperId AS cited,
       r.isInfluential AS isInfluential, r.intents AS intents,
       r.contexts AS contexts, r.contextIntents AS contextIntents
ORDER BY citing, cited
