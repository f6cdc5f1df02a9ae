// params: -
// returns: name, type, labelsOrTypes, properties, state of every index, sorted by name
SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state
RETURN name, type, labelsOrTypes, properties, state
ORDER BY name
