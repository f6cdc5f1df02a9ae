// params: -
// returns: nothing; every constraint and index citekb relies on, idempotent (IF NOT EXISTS)
CREATE CONSTRAINT paper_paperId IF NOT EXISTS FOR (p:Paper) REQUIRE p.paperId IS UNIQUE;
CREATE CONSTRAINT author_authorId IF NOT EXISTS FOR (a:Author) REQUIRE a.authorId IS UNIQUE;
CREATE CONSTRAINT org_key IF NOT EXISTS FOR (o:Org) REQUIRE o.key IS UNIQUE;
CREATE CONSTRAINT topic_key IF NOT EXISTS FOR (t:Topic) REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT venue_key IF NOT EXISTS FOR (v:Venue) REQUIRE v.key IS UNIQUE;
CREATE CONSTRAINT meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE;
CREATE INDEX paper_arxivId IF NOT EXISTS FOR (p:Paper) ON (p.arxivId);
CREATE INDEX paper_doi IF NOT EXISTS FOR (p:Paper) ON (p.doi);
CREATE INDEX paper_corpusId IF NOT EXISTS FOR (p:Paper) ON (p.corpusId);
CREATE INDEX paper_year IF NOT EXISTS FOR (p:Paper) ON (p.year);
// OpenAlex lineage names parents by OpenAlex id; authors are matched across loads by it.
CREATE INDEX org_openalexId IF NOT EXISTS FOR (o:Org) ON (o.openalexId);
CREATE INDEX author_openalexId IF NOT EXISTS FOR (a:Author) ON (a.openalexId);
// Unresolved seeds are keyed by their normalised title until S2 resolves them.
CREATE INDEX paper_titleKey IF NOT EXISTS FOR (p:Paper) ON (p.titleKey);
// orderBy targets, so that sorted pages are index-backed.
CREATE INDEX paper_citationCount IF NOT EXISTS FOR (p:Paper) ON (p.citationCount);
CREATE INDEX paper_pagerank IF NOT EXISTS FOR (p:Paper) ON (p.pagerank);
// Community pages read a stored community's papers by id.
CREATE INDEX paper_community IF NOT EXISTS FOR (p:Paper) ON (p.community);
// The change feed: what each load added (write/load_begin, write/meta) and saved seed sets.
CREATE INDEX paper_addedBy IF NOT EXISTS FOR (p:Paper) ON (p.addedBy);
CREATE INDEX cites_addedBy IF NOT EXISTS FOR ()-[r:CITES]-() ON (r.addedBy);
CREATE INDEX load_version IF NOT EXISTS FOR (l:Load) ON (l.version);
CREATE CONSTRAINT collection_name IF NOT EXISTS FOR (c:Collection) REQUIRE c.name IS UNIQUE;
CREATE FULLTEXT INDEX paper_text IF NOT EXISTS FOR (p:Paper) ON EACH [p.title, p.abstract];
CREATE FULLTEXT INDEX author_name IF NOT EXISTS FOR (a:Author) ON EACH [a.name];
// Paper embeddings (SPECTER2 from S2, or synthetic vectors on synthetic
// corpora): 768 dimensions, as loaders.rows.EMBEDDING_DIMENSIONS says;
// semanticNeighbours and recommend query it with db.index.vector.queryNodes.
CREATE VECTOR INDEX paper_embedding IF NOT EXISTS FOR (p:Paper) ON (p.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 768, `vector.similarity_function`: 'cosine'}};
