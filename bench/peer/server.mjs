// The peer of bench.api: the Neo4j GraphQL Library (@neo4j/graphql 7) served
// by Apollo Server 4, over the same Neo4j and graph as `citekb serve`.
// Benchmark harness only (started by bench/peer.py), never part of citekb.
//
// env: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE, PEER_PORT
// `node server.mjs --print-schema` prints the generated SDL and exits.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { printSchema } from "graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const env = process.env;
const driver = neo4j.driver(
  env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
  neo4j.auth.basic(env.NEO4J_USER ?? "neo4j", env.NEO4J_PASSWORD ?? ""),
);
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();

if (process.argv.includes("--print-schema")) {
  process.stdout.write(printSchema(schema));
  await driver.close();
  process.exit(0);
}

const server = new ApolloServer({ schema });
const port = Number(env.PEER_PORT ?? 4000);
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port },
  // Every request reads the one database the bench loaded.
  context: async () => ({ sessionConfig: { database: env.NEO4J_DATABASE ?? "neo4j" } }),
});
console.log(`peer ready at ${url}`);

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, async () => {
    await server.stop();
    await driver.close();
    process.exit(0);
  });
}
