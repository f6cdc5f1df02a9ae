"""Sources -> Semantic Scholar enrichment -> rows -> Neo4j writes.

The row and writer contract every loader codes against is docs/contract.md;
how engineers work together on this tree is CONTRIBUTING.md.
"""
