"""Sources -> Semantic Scholar enrichment -> rows -> Neo4j writes."""
