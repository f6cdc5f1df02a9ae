// params: -
// returns: name, type, labelsOrTypes, properties of every constraint, sorted by name
SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties
RETURN name, type, labelsOrTypes, properties
ORDER BY name
