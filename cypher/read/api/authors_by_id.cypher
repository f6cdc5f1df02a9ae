// params: ids
// returns: id, author (all properties) for each id that names an Author
UNWIND $ids AS id
MATCH (a:Author {authorId: id})
RETURN id, properties(a) AS author
