// params: name, seeds, at
// returns: name, seeds, createdAt, updatedAt
// A saved seed set for the change feed ("what is new that cites my papers"):
// Collection{name} holds the paperIds of its seeds (resolved by the caller:
// every seed is a paper of the graph). Saving a name again replaces its seeds.
MERGE (c:Collection {name: $name})
  ON CREATE SET c.createdAt = $at
SET c.seeds = $seeds, c.updatedAt = $at
RETURN c.name AS name, c.seeds AS seeds, c.createdAt AS createdAt, c.updatedAt AS updatedAt
