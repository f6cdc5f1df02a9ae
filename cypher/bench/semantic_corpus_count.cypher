// params: -
// returns: papers (count of Paper nodes), vectors (how many of them have an embedding)
MATCH (p:Paper)
RETURN count(p) AS papers, count(p.embedding) AS vectors
