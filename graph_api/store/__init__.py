"""Neo4j access: drivers and schema, the API's read door, the analytics projection,
stored scores and exports. Nothing here knows GraphQL."""
