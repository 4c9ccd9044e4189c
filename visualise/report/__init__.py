"""The commissioners' report: sections, charts and the index pages."""
