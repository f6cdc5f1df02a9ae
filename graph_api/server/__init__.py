"""Things citekb runs or serves besides its own code: the local Neo4j server built from
Maven Central's jars, and the npm-fetched assets of the playground."""
