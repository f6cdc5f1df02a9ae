// params: names
// returns: name, seeds, createdAt, updatedAt
// Saved seed sets by name ($names null: all of them, by name).
MATCH (c:Collection)
WHERE $names IS NULL OR c.name IN $names
RETURN c.name AS name, c.seeds AS seeds, c.createdAt AS createdAt, c.updatedAt AS updatedAt
ORDER BY name
