// params: -
// returns: one row: papers, authors, orgs, topics, venues, cites, authored, affiliatedWith, submitted,
// hasTopic, publishedIn (counts), lastLoad (properties of Meta{key:'load'} or null)
// Each count is a single-label or single-type count: Neo4j answers those from its count store.
CALL () { MATCH (n:Paper) RETURN count(n) AS papers }
CALL () { MATCH (n:Author) RETURN count(n) AS authors }
CALL () { MATCH (n:Org) RETURN count(n) AS orgs }
CALL () { MATCH (n:Topic) RETURN count(n) AS topics }
CALL () { MATCH (n:Venue) RETURN count(n) AS venues }
CALL () { MATCH ()-[r:CITES]->() RETURN count(r) AS cites }
CALL () { MATCH ()-[r:AUTHORED]->() RETURN count(r) AS authored }
CALL () { MATCH ()-[r:AFFILIATED_WITH]->() RETURN count(r) AS affiliatedWith }
CALL () { MATCH ()-[r:SUBMITTED]->() RETURN count(r) AS submitted }
CALL () { MATCH ()-[r:HAS_TOPIC]->() RETURN count(r) AS hasTopic }
CALL () { MATCH ()-[r:PUBLISHED_IN]->() RETURN count(r) AS publishedIn }
OPTIONAL MATCH (m:Meta {key: 'load'})
RETURN papers, authors, orgs, topics, venues, cites, authored, affiliatedWith, submitted,
       hasTopic, publishedIn, properties(m) AS lastLoad
