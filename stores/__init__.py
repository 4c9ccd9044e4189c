"""Where validated ecosystems live: the embedded SQLite store, Neo4j, and the local Neo4j server."""
