"""The isolation question: its NetworkX, Cypher and compact forms side by side."""
