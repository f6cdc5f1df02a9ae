"""The GraphQL service: the ASGI app, schema, types, resolvers, DataLoaders, limits
and error policy. It reads the graph through :mod:`graph_api.store` only."""
