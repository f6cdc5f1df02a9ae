"""citekb GraphQL service, settings, Neo4j access and command line."""
